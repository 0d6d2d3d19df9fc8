import { createHash } from 'node:crypto';
import type { Locale } from '../i18n';

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

/** The same concepts in English, so both models learn from the same ideas. */
export const CONCEPTS_EN: Record<string, string[]> = {
  // Colombia's greetings and goodbyes are in every visitor's English.
  greet: ['hola', 'buenas', 'buenos dias', 'hi', 'hello', 'hey', 'hiya', 'howdy', 'greetings', 'good morning', 'good afternoon', 'good evening', 'morning', 'good day', 'whats up', 'sup', 'yo'],
  bye: ['chao', 'chau', 'adios', 'bye', 'goodbye', 'see you', 'see ya', 'later', 'take care', 'have a nice', 'have a good', 'have a great', 'good night', 'goodnight', 'that is all', 'that is it', 'nothing else', 'no more', 'i am done', 'that was all', 'cheers'],
  thanks: ['thanks', 'thank', 'appreciate', 'appreciated', 'grateful', 'gracias', 'kind of you'],
  about_bot: ['are you', 'your name', 'who made', 'how old', 'where do you live', 'girlfriend', 'boyfriend', 'feelings', 'chatgpt', 'artificial intelligence', 'favorite', 'favourite'],
  other_org: ['bank', 'banks', 'bancolombia', 'davivienda', 'nequi', 'daviplata', 'credit card', 'loan', 'airline', 'flight', 'avianca', 'latam', 'netflix', 'spotify', 'disney', 'rappi', 'uber', 'didi', 'amazon', 'mercado libre', 'electricity', 'water company', 'gas bill', 'health insurance', 'hospital', 'clinic', 'doctor', 'medical', 'university', 'tuition', 'school', 'landlord', 'rent', 'passport', 'traffic fine', 'police', 'gym', 'restaurant', 'pizza', 'supermarket', 'neighbor', 'neighbour'],
  human: ['human', 'humans', 'person', 'people', 'agent', 'agents', 'advisor', 'adviser', 'representative', 'rep', 'operator', 'someone', 'somebody', 'supervisor', 'manager', 'real', 'live', 'robot', 'bot', 'machine'],
  channel: ['email', 'mail', 'phone number', 'call', 'calling', 'office', 'offices', 'store', 'stores', 'shop', 'branch', 'website', 'web', 'page', 'whatsapp', 'facebook', 'instagram', 'hours', 'opening', 'address', 'contact', 'reach', 'channels', 'channel', 'in person', 'toll free', 'customer service', 'support line', 'xnumx'],
  status: ['status', 'how is', 'going', 'progress', 'update', 'follow up', 'track', 'news', 'answered', 'answer', 'respond', 'responded', 'reply', 'replied', 'heard', 'hear back', 'filed', 'xcunx', 'cun', 'still', 'yet', 'deadline', 'due date'],
  appeal: ['appeal', 'appealing', 'reconsider', 'reconsideration', 'review', 'reviewed', 'contest', 'challenge', 'dispute the answer', 'disagree', 'do not agree', 'do not accept', 'reject', 'unfair', 'superintendence', 'superintendencia', 'sic', 'reposicion', 'denied', 'rejected', 'escalate'],
  cancel: ['cancel', 'stop', 'quit', 'exit', 'abort', 'forget', 'nevermind', 'never mind', 'changed my mind', 'drop it', 'leave it', 'scrap', 'undo', 'do not continue', 'not continue', 'give up'],
  help: ['help', 'menu', 'options', 'how does', 'how do i use', 'what can you', 'what does', 'what is a', 'what is the', 'mean', 'meaning', 'difference', 'explain', 'confused', 'lost', 'guidance', 'instructions', 'back', 'start over', 'restart', 'home'],
  money: ['charge', 'charged', 'charges', 'charging', 'overcharged', 'bill', 'billed', 'billing', 'invoice', 'paid', 'pay', 'payment', 'money', 'refund', 'reimburse', 'balance', 'fee', 'fees', 'debt', 'price', 'cost', 'debited', 'deducted', 'twice', 'double', 'xplatax'],
  quality: ['signal', 'slow', 'coverage', 'drop', 'drops', 'dropped', 'dropping', 'down', 'rude', 'bad', 'terrible', 'horrible', 'awful', 'worst', 'poor', 'waited', 'waiting', 'on hold', 'hung up', 'disconnect', 'disconnecting', 'not working', 'does not work', 'is not working', 'crash', 'crashes', 'sucks', 'trash', 'unacceptable', 'fed up', 'tired of'],
  telecom: ['line', 'plan', 'package', 'bundle', 'data', 'gigs', 'gb', 'sim', 'esim', 'puk', 'roaming', 'port', 'portability', 'recharge', 'top up', 'internet', 'calls', 'minutes', 'phone', 'operator', 'carrier', 'contract', 'texts', 'service', 'device', 'modem', 'postpaid', 'prepaid', 'voicemail', 'network', '4g', 'wifi'],
  pqr: ['pqr', 'complaint', 'complaints', 'claim', 'claims', 'request', 'petition', 'case', 'ticket', 'file', 'filed', 'lodge', 'submit', 'report', 'administrative silence', 'superintendence', 'sic', 'cun'],
  end_service: ['terminate', 'termination', 'disconnect my', 'close my account', 'end my contract', 'unsubscribe', 'do not renew', 'port my number'],
  request: ['i want', 'i would like', 'i need', 'need', 'please', 'can you', 'could you', 'how do i', 'how can i', 'how much', 'information', 'kindly'],
};

function indexOf(table: Record<string, string[]>): Map<string, string[]> {
  const index = new Map<string, string[]>();
  for (const [concept, entries] of Object.entries(table)) {
    for (const e of entries) index.set(e, [...(index.get(e) ?? []), concept]);
  }
  return index;
}

const INDEX: Record<Locale, Map<string, string[]>> = { 'es-CO': indexOf(CONCEPTS), en: indexOf(CONCEPTS_EN) };

/**
 * "cancelar" with a service after it ("cancelar mi línea", "dar de baja el plan") asks the operator
 * to end that service, a petición; without one it stops the conversation.
 */
const ENDING_VERBS_ES = new Set(['cancelar', 'cancela', 'cancelen', 'cancelarme', 'cancelo', 'anular', 'anulen', 'retirar', 'retiro', 'retirarme', 'terminar', 'terminen', 'desactivar', 'desactiven', 'suspender', 'suspendan', 'baja']);
const SERVICES_ES = new Set(['linea', 'lineas', 'plan', 'servicio', 'servicios', 'contrato', 'paquete', 'suscripcion', 'suscripciones', 'numero', 'sim', 'esim', 'internet', 'cuenta', 'roaming', 'postpago', 'pospago', 'prepago', 'hogar', 'fibra', 'tv', 'television']);
/** "cancel my line" is a petición too; "cancel that" stops the conversation. */
const ENDING_VERBS_EN = new Set(['cancel', 'cancelling', 'canceling', 'terminate', 'end', 'close', 'disconnect', 'deactivate', 'suspend', 'unsubscribe', 'stop']);
const SERVICES_EN = new Set(['line', 'lines', 'plan', 'service', 'services', 'contract', 'package', 'subscription', 'subscriptions', 'number', 'sim', 'esim', 'internet', 'account', 'roaming', 'postpaid', 'prepaid', 'tv', 'voicemail', 'renewal']);
const ENDING: Record<Locale, { verbs: Set<string>; services: Set<string> }> = {
  'es-CO': { verbs: ENDING_VERBS_ES, services: SERVICES_ES },
  en: { verbs: ENDING_VERBS_EN, services: SERVICES_EN },
};
const ENDING_REACH = 3;

function endsService(words: string[], i: number, locale: Locale): boolean {
  const { verbs, services } = ENDING[locale];
  if (!verbs.has(words[i])) return false;
  for (let j = i + 1; j <= i + ENDING_REACH && j < words.length; j++) if (services.has(words[j])) return true;
  return false;
}

const MAX_ENTRY_WORDS = 3;

/** "chaoo", "graciass", "holaa": a doubled letter the lexicon does not know is tried single. */
function squeezed(word: string): string {
  return word.replace(/([a-z])\1+/g, '$1');
}

/** Concepts present in a list of normalised words (entries of one to three words). */
export function concepts(words: string[], locale: Locale = 'es-CO'): string[] {
  const index = INDEX[locale];
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (endsService(words, i, locale)) out.push('end_service');
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
  .update(JSON.stringify([CONCEPTS, CONCEPTS_EN, [...ENDING_VERBS_ES], [...SERVICES_ES], [...ENDING_VERBS_EN], [...SERVICES_EN], ENDING_REACH, [...NOT_DOMAIN]]))
  .digest('hex');

/** Lower case, no accents, punctuation as spaces, one space between words. */
export function foldWords(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}@.\s-]|(?<!\S)[.-]|[.-](?!\S)/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

/** Short replies people type for "yes" and "no", as folded words. */
const YES = ['si', 'sip', 'sipi', 'sii', 'sep', 'simon', 'claro', 'claro que si', 'correcto', 'exacto', 'afirmativo', 'dale', 'de una', 'listo', 'ok', 'okey', 'okay', 'vale', 'va', 'bueno', 'bueno listo', 'de acuerdo', 'por supuesto', 'obvio', 'acepto', 'autorizo', 'yes', 'yep', 's', 'perfecto', 'hagale', 'asi es', 'esta bien', 'adelante', 'sisas', 'eso', 'eso es'];
const NO = ['no', 'nop', 'nope', 'nel', 'negativo', 'no gracias', 'mejor no', 'para nada', 'no acepto', 'no autorizo', 'no quiero', 'no me interesa', 'n', 'no senor', 'ahorita no', 'todavia no', 'aun no'];
/** "sí, pero primero…", "ok, aunque…": the reply is held back, so it is none. */
const HOLDING_BACK = new Set(['pero', 'aunque', 'primero', 'antes', 'espera', 'espere', 'depende', 'cuando', 'si', 'pregunta']);
/** "no sé", "no entiendo", "no tengo": a bare "no" before these is not an answer. */
const NOT_A_NO_BEFORE = new Set(['se', 'entiendo', 'tengo', 'recuerdo', 'me', 'estoy', 'puedo', 'lo', 'la', 'hay', 'sirve', 'funciona', 'es', 'era', 'fue']);
const YES_SET = new Set(YES);
const NO_SET = new Set(NO);
/** Words long enough that one slip of the finger ("aceto", "calro") still says them. */
const FUZZY_YES = YES.filter((w) => w.length >= 5 && !w.includes(' '));
/** What may follow a short reply without changing it: "sí, de Andes", "no, gracias, solo quería avisar". */
const MAX_WORDS_AFTER_A_SHORT_REPLY = 5;

function withinOneEdit(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

function shortReplyOfPhrase(phrase: string): 'yes' | 'no' | null {
  if (YES_SET.has(phrase)) return 'yes';
  if (NO_SET.has(phrase)) return 'no';
  if (!phrase.includes(' ') && phrase.length >= 4 && FUZZY_YES.some((w) => withinOneEdit(phrase, w))) return 'yes';
  return null;
}

/**
 * "sí", "sip", "dale", "de una", "aceto", "no gracias"… as yes or no; null when the message is not
 * a short reply. The reply may open a short message ("sip de andes"); a message that says both is neither.
 */
export function shortReply(text: string): 'yes' | 'no' | null {
  const words = foldWords(text).replace(/[.-]/g, ' ').split(' ').filter(Boolean);
  if (words.length === 0) return null;
  for (let n = Math.min(3, words.length); n >= 1; n--) {
    const answer = shortReplyOfPhrase(words.slice(0, n).join(' '));
    if (!answer) continue;
    const rest = words.slice(n);
    if (rest.length > MAX_WORDS_AFTER_A_SHORT_REPLY) return null;
    if (answer === 'no' && NOT_A_NO_BEFORE.has(rest[0])) return null;
    if (rest.some((w) => HOLDING_BACK.has(w)) || (rest.length > 0 && text.includes('?'))) return null;
    const other = rest.some((w) => (answer === 'yes' ? NO_SET.has(w) && w !== 'n' : w === 'si' || w === 'acepto' || w === 'autorizo'));
    return other ? null : answer;
  }
  return null;
}

/** Words of someone clearly upset with the operator: they get one line of acknowledgement. */
const UPSET = /\b(mamad[oa]s?|hart[oa]s?|cansad[oa]s? de|aburrid[oa]s? (de|con)|me tienen (mamad|hart|aburrid)|indignad[oa]|ladrones|rateros|estafadores|sinverguenzas|descarados|que rabia|que fastidio|pesimo servicio|peor servicio|peor empresa|son una porqueria|son una basura|no sirven para nada|es el colmo|el colmo|estoy furios[oa]|furios[oa]|emputad[oa]|berraco|verraco|verracos|berracos)\b/;

export function isUpset(text: string): boolean {
  return UPSET.test(foldWords(text));
}

/**
 * Cases where waiting 15 days for an answer would hurt: a stolen or lost phone or SIM (the line
 * must be blocked now) and fraud or identity theft. They first get the immediate action.
 */
const STOLEN = /\b(me (robaron|rapon[oe]aron|hurtaron|quitaron) (el |la |mi )?(celular|telefono|cel|equipo|movil|iphone|samsung)|(robo|hurto|perdida|perdi|se me perdio|se me cayo|extravie|extraviado|extraviada) (de |del |el |la |mi )?(mi |el |la )?(celular|telefono|cel|equipo|movil|sim|chip|linea|iphone|samsung)|(celular|telefono|equipo|movil) (robado|perdido|extraviado)|rapon[oe]ado)\b/;
const FRAUD = /\b(fraude|estafa|estafaron|suplantacion|suplantaron|me clonaron|clonaron|clonada|clonado|hackearon|hackeo|duplicaron mi sim|cambiaron mi sim|pidiendo claves|pidiendome claves|robaron la linea|robaron mi linea|a mi nombre sin)\b/;

export const URGENCIES = ['stolen', 'fraud'] as const;
export type Urgency = (typeof URGENCIES)[number];

export function urgencyOf(text: string): Urgency | null {
  const folded = foldWords(text);
  if (STOLEN.test(folded)) return 'stolen';
  if (FRAUD.test(folded)) return 'fraud';
  return null;
}

/** "cancelar la línea", "dar de baja el plan": ending a service is a petición, not a "stop". */
export function asksToEndAService(text: string, locale: Locale = 'es-CO'): boolean {
  const words = foldWords(text).split(' ');
  return words.some((_, i) => endsService(words, i, locale));
}
