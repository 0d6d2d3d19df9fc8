import { createHash } from 'node:crypto';

/**
 * Words that mean the same thing to this bot, grouped under one concept feature. A synonym the
 * corpus never used ("representante", "feliz tarde") still lights the concept its neighbours taught.
 * Entries are normalised words (see normalize.ts) or runs of up to three; matching is on whole words.
 */
export const CONCEPTS: Record<string, string[]> = {
  greet: ['hola', 'buenas', 'cordial saludo', 'saludo', 'atento saludo', 'reciba un', 'buenos dias', 'buen dia', 'buenas tardes', 'buenas noches', 'saludos', 'hey', 'hi', 'hello', 'alo', 'quiubo', 'quihubo', 'que mas', 'wenas', 'que hubo', 'que tal', 'ey'],
  bye: ['chao', 'chau', 'chaito', 'adios', 'bye', 'hasta luego', 'hasta pronto', 'hasta manana', 'la proxima', 'nos vemos', 'me despido', 'feliz dia', 'feliz tarde', 'feliz noche', 'buen dia', 'este bien', 'esten bien', 'bendiciones', 'eso es todo', 'eso era', 'era todo', 'nada mas', 'no mas'],
  thanks: ['gracias', 'agradezco', 'amable', 'agradecido', 'agradecida', 'thanks', 'dios le pague', 'dios lo bendiga', 'dios la bendiga', 'dios me lo bendiga', 'muy amable', 'se agradece'],
  /** The bot as a person: "¿eres humano?" is small talk, "quiero hablar con un humano" is not. */
  about_bot: ['eres', 'sos', 'usted es', 'te llamas', 'se llama usted', 'tu nombre', 'su nombre', 'cuantos anos', 'donde vives', 'tienes novia', 'inteligencia artificial', 'chatgpt'],
  /** Other companies and public services: a bank's charge or an airline's refund is not this operator's PQR. */
  other_org: ['banco', 'bancos', 'bancolombia', 'davivienda', 'nequi', 'daviplata', 'bbva', 'tarjeta de credito', 'avianca', 'latam', 'vuelo', 'aerolinea', 'netflix', 'spotify', 'disney', 'rappi', 'uber', 'didi', 'amazon', 'mercado libre', 'falabella', 'exito', 'epm', 'enel', 'codensa', 'vanti', 'gas', 'acueducto', 'luz', 'energia', 'eps', 'universidad', 'colegio', 'alcaldia', 'dian', 'registraduria', 'pasaporte', 'arriendo', 'seguro del carro', 'soat', 'policia', 'ambulancia', 'bomberos', 'sisben', 'notaria', 'hospital', 'clinica', 'peaje', 'transito', 'multa', 'icetex', 'colpensiones', 'gimnasio', 'tutela', 'pizzeria', 'restaurante', 'supermercado'],
  human: ['asesor', 'asesores', 'humano', 'humana', 'persona', 'agente', 'representante', 'ejecutivo', 'ejecutiva', 'alguien', 'carne y hueso', 'de verdad', 'real', 'robot', 'maquina', 'bot'],
  channel: ['correo', 'email', 'mail', 'telefono', 'oficina', 'oficinas', 'tienda', 'tiendas', 'sede', 'sedes', 'pagina', 'web', 'whatsapp', 'facebook', 'instagram', 'horario', 'direccion', 'contacto', 'contactar', 'contacto', 'comunico', 'comunicarme', 'canales', 'canal', 'llamo', 'llamar', 'presencial', 'personalmente', 'linea gratuita', 'xnumx'],
  status: ['estado', 'como va', 'en que va', 'como sigue', 'como voy', 'avance', 'seguimiento', 'novedad', 'ya respondieron', 'ya me', 'contestaron', 'respondieron', 'respuesta', 'radicado', 'radique', 'xcunx', 'cun', 'todavia', 'aun', 'plazo', 'fecha maxima'],
  appeal: ['apelar', 'apelacion', 'apelo', 'reposicion', 'reponer', 'recurso', 'recurrir', 'impugnar', 'impugno', 'superintendencia', 'sic', 'reconsiderar', 'reconsideren', 'injusta', 'injusto', 'negaron', 'rechazaron'],
  cancel: ['cancelar', 'cancela', 'cancelalo', 'olvidalo', 'olvidate', 'olvida', 'salir', 'detente', 'detener', 'stop', 'abortar', 'anular', 'anula', 'no sigas', 'no seguir', 'no continuar', 'dejalo', 'deja asi', 'dejemos', 'mejor no', 'parar', 'terminar', 'arrepenti'],
  help: ['ayuda', 'ayudame', 'ayudas', 'menu', 'opciones', 'como funciona', 'que puedes', 'no entiendo', 'diferencia', 'orientacion', 'perdido', 'inicio', 'como uso', 'para que sirve', 'dudas', 'help', 'info', 'volver', 'regresar', 'instrucciones', 'guiar', 'guies', 'guia', 'orientas', 'orientar', 'empiezo', 'empezar', 'que sigue', 'funciones', 'explicame', 'me explicas'],
  money: ['cobro', 'cobros', 'cobraron', 'cobran', 'cobrando', 'cobrar', 'descontaron', 'descuentan', 'descuento', 'factura', 'facturaron', 'facturando', 'pague', 'pago', 'plata', 'dinero', 'devolucion', 'devuelvan', 'reembolso', 'reembolsen', 'xplatax', 'robaron', 'robo', 'doble', 'de mas'],
  quality: ['senal', 'lento', 'lenta', 'lentisimo', 'cae', 'caen', 'cobertura', 'grosero', 'grosera', 'mala', 'malo', 'pesimo', 'pesima', 'horrible', 'espera', 'esperando', 'colgaron', 'colgo', 'atencion', 'cortan', 'intermitente', 'no sirve', 'no funciona', 'porqueria', 'basura'],
  telecom: ['linea', 'plan', 'paquete', 'paquetes', 'megas', 'gigas', 'datos', 'sim', 'esim', 'puk', 'roaming', 'portabilidad', 'portar', 'recarga', 'recargue', 'recargar', 'saldo', 'internet', 'llamadas', 'minutos', 'celular', 'operador', 'permanencia', 'contrato', 'factura', 'mensajes', 'servicio', 'equipo', 'pospago', 'prepago', 'apn', 'buzon'],
  pqr: ['pqr', 'queja', 'quejas', 'reclamo', 'reclamos', 'peticion', 'solicitud', 'caso', 'tramite', 'radicar', 'inconformidad', 'silencio administrativo', 'superintendencia', 'sic', 'cun'],
  end_service: ['de baja', 'retirarme', 'desafiliarme', 'desvincularme', 'cancelacion del', 'terminacion del', 'terminar el contrato', 'no renovar'],
  request: ['quiero', 'quisiera', 'necesito', 'deseo', 'solicito', 'me gustaria', 'como hago', 'como activo', 'como puedo', 'me pueden', 'me explican', 'cuanto cuesta', 'informacion'],
};

const index = new Map<string, string[]>();
for (const [concept, entries] of Object.entries(CONCEPTS)) {
  for (const e of entries) index.set(e, [...(index.get(e) ?? []), concept]);
}

/**
 * "cancelar" with a service after it ("cancelar mi línea", "dar de baja el plan") asks the operator
 * to end that service, a petición; without one it stops the conversation.
 */
const ENDING_VERBS = new Set(['cancelar', 'cancela', 'cancelen', 'cancelarme', 'cancelo', 'anular', 'anulen', 'retirar', 'retiro', 'retirarme', 'terminar', 'terminen', 'desactivar', 'desactiven', 'suspender', 'suspendan', 'baja']);
const SERVICES = new Set(['linea', 'lineas', 'plan', 'servicio', 'servicios', 'contrato', 'paquete', 'suscripcion', 'suscripciones', 'numero', 'sim', 'esim', 'internet', 'cuenta', 'roaming', 'postpago', 'pospago', 'prepago', 'hogar', 'fibra', 'tv', 'television']);
const ENDING_REACH = 3;

function endsService(words: string[], i: number): boolean {
  if (!ENDING_VERBS.has(words[i])) return false;
  for (let j = i + 1; j <= i + ENDING_REACH && j < words.length; j++) if (SERVICES.has(words[j])) return true;
  return false;
}

const MAX_ENTRY_WORDS = 3;

/** "chaoo", "graciass", "holaa": a doubled letter the lexicon does not know is tried single. */
function squeezed(word: string): string {
  return word.replace(/([a-z])\1+/g, '$1');
}

/** Concepts present in a list of normalised words (entries of one to three words). */
export function concepts(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (endsService(words, i)) out.push('end_service');
    else out.push(...(index.get(words[i]) ?? index.get(squeezed(words[i])) ?? []));
    for (let n = 2; n <= MAX_ENTRY_WORDS && i + n <= words.length; n++) out.push(...(index.get(words.slice(i, i + n).join(' ')) ?? []));
  }
  return out;
}

const NOT_DOMAIN = new Set(['request', 'about_bot', 'other_org']);

/** Every concept but the generic request verbs, the bot as a person and other companies says the text is about this bot's domain. */
export function isDomainConcept(concept: string): boolean {
  return !NOT_DOMAIN.has(concept);
}

/** Changes whenever an entry above changes, so a model cached with the old lexicon is not reused. */
export const LEXICON_FINGERPRINT = createHash('sha256')
  .update(JSON.stringify([CONCEPTS, [...ENDING_VERBS], [...SERVICES], ENDING_REACH, [...NOT_DOMAIN]]))
  .digest('hex');
