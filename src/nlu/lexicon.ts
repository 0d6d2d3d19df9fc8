/**
 * Words that mean the same thing to this bot, grouped under one concept feature. A synonym the
 * corpus never used ("representante", "feliz tarde") still lights the concept its neighbours taught.
 * Entries are normalised words (see normalize.ts) or word pairs; matching is on whole words.
 */
export const CONCEPTS: Record<string, string[]> = {
  greet: ['hola', 'buenas', 'buenos dias', 'buen dia', 'buenas tardes', 'buenas noches', 'saludos', 'hey', 'hi', 'hello', 'alo', 'quiubo', 'quihubo', 'que mas', 'wenas', 'que hubo', 'que tal', 'ey'],
  bye: ['chao', 'chau', 'chaito', 'adios', 'bye', 'hasta luego', 'hasta pronto', 'hasta manana', 'la proxima', 'nos vemos', 'me despido', 'feliz dia', 'feliz tarde', 'feliz noche', 'buen dia', 'este bien', 'esten bien', 'bendiciones', 'eso es todo', 'eso era', 'era todo', 'nada mas', 'no mas'],
  thanks: ['gracias', 'agradezco', 'amable', 'agradecido', 'agradecida', 'thanks'],
  human: ['asesor', 'asesores', 'humano', 'humana', 'persona', 'agente', 'representante', 'ejecutivo', 'ejecutiva', 'alguien', 'carne y hueso', 'de verdad', 'real', 'robot', 'maquina', 'bot'],
  channel: ['correo', 'email', 'mail', 'telefono', 'oficina', 'oficinas', 'tienda', 'tiendas', 'sede', 'sedes', 'pagina', 'web', 'whatsapp', 'facebook', 'instagram', 'horario', 'direccion', 'contacto', 'contactar', 'contacto', 'comunico', 'comunicarme', 'canales', 'canal', 'llamo', 'llamar', 'presencial', 'personalmente', 'linea gratuita', 'xnumx'],
  status: ['estado', 'como va', 'en que va', 'como sigue', 'como voy', 'avance', 'seguimiento', 'novedad', 'ya respondieron', 'ya me', 'contestaron', 'respondieron', 'respuesta', 'radicado', 'radique', 'xcunx', 'cun', 'todavia', 'aun', 'plazo', 'fecha maxima'],
  appeal: ['apelar', 'apelacion', 'apelo', 'reposicion', 'reponer', 'recurso', 'recurrir', 'impugnar', 'impugno', 'desacuerdo', 'de acuerdo', 'no acepto', 'inconforme', 'conforme', 'superintendencia', 'sic', 'reconsiderar', 'reconsideren', 'injusta', 'injusto', 'negaron', 'rechazaron'],
  cancel: ['cancelar', 'cancela', 'cancelalo', 'olvidalo', 'olvidate', 'olvida', 'salir', 'detente', 'detener', 'stop', 'abortar', 'anular', 'anula', 'no sigas', 'no seguir', 'no continuar', 'dejalo', 'deja asi', 'dejemos', 'mejor no', 'ya no', 'parar', 'terminar', 'arrepenti'],
  help: ['ayuda', 'ayudame', 'ayudas', 'menu', 'opciones', 'como funciona', 'que puedes', 'no entiendo', 'diferencia', 'orientacion', 'perdido', 'inicio', 'como uso', 'para que sirve', 'dudas', 'help', 'info', 'volver', 'regresar', 'instrucciones', 'guiar', 'guies', 'guia', 'orientas', 'orientar', 'empiezo', 'empezar', 'que sigue', 'funciones', 'explicame', 'me explicas'],
  money: ['cobro', 'cobros', 'cobraron', 'cobran', 'cobrando', 'cobrar', 'descontaron', 'descuentan', 'descuento', 'factura', 'facturaron', 'facturando', 'pague', 'pago', 'plata', 'dinero', 'devolucion', 'devuelvan', 'reembolso', 'reembolsen', 'xplatax', 'robaron', 'robo', 'doble', 'de mas'],
  quality: ['senal', 'lento', 'lenta', 'lentisimo', 'cae', 'caen', 'cobertura', 'grosero', 'grosera', 'mala', 'malo', 'pesimo', 'pesima', 'horrible', 'espera', 'esperando', 'colgaron', 'colgo', 'atencion', 'cortan', 'intermitente', 'no sirve', 'no funciona', 'porqueria', 'basura'],
  telecom: ['linea', 'plan', 'paquete', 'paquetes', 'megas', 'gigas', 'datos', 'sim', 'esim', 'puk', 'roaming', 'portabilidad', 'portar', 'recarga', 'recargue', 'recargar', 'saldo', 'internet', 'llamadas', 'minutos', 'celular', 'operador', 'permanencia', 'contrato', 'factura', 'mensajes', 'servicio', 'equipo', 'pospago', 'prepago', 'apn', 'buzon'],
  pqr: ['pqr', 'queja', 'quejas', 'reclamo', 'reclamos', 'peticion', 'solicitud', 'caso', 'tramite', 'radicar', 'inconformidad', 'silencio administrativo', 'superintendencia', 'sic', 'cun'],
  request: ['quiero', 'quisiera', 'necesito', 'deseo', 'solicito', 'me gustaria', 'como hago', 'como activo', 'como puedo', 'me pueden', 'me explican', 'cuanto cuesta', 'informacion'],
};

const index = new Map<string, string[]>();
for (const [concept, entries] of Object.entries(CONCEPTS)) {
  for (const e of entries) index.set(e, [...(index.get(e) ?? []), concept]);
}

/** Concepts present in a list of normalised words (single words and adjacent pairs). */
export function concepts(words: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    out.push(...(index.get(words[i]) ?? []));
    if (i + 1 < words.length) out.push(...(index.get(`${words[i]} ${words[i + 1]}`) ?? []));
  }
  return out;
}

/** Every concept but the generic request verbs says the text is about this bot's domain. */
export function isDomainConcept(concept: string): boolean {
  return concept !== 'request';
}
