import type { TurnContext } from 'botbuilder';
import { MessageFactory, type Activity } from 'botbuilder';
import { addressOf, type Address, type Identities, type OneTimeCodes, type Requester } from '../src/identity';
import type { DataRequests, ExportLinks } from '../src/habeas';
import type { Recognizer } from '../src/nlu';
import type { Clock, PqrLifecycle, PqrService } from '../src/pqr';
import type { HandoffService, Ratings } from '../src/handoff';
import { resolveLocale, type Locale, type Texts, type Translate } from '../src/i18n';

/** What every dialog receives from the composition root. */
export interface DialogDeps {
  pqr: PqrService;
  lifecycle: PqrLifecycle;
  identities: Identities;
  codes: OneTimeCodes;
  nlu: Recognizer;
  texts: Texts;
  clock: Clock;
  defaultLocale: Locale;
  brands: { id: string; name: string }[];
  answerDays: number;
  /** Live handoff to an agent; without it "hablar con un asesor" lists the other channels. */
  handoffs?: HandoffService;
  /** CSAT answers to "¿Cómo calificas la atención?". */
  ratings?: Ratings;
  /** Data-protection requests (Ley 1581) and the links that download their data. */
  dataRequests: DataRequests;
  exportLinks: ExportLinks;
  /** PUBLIC_URL: makes the download link absolute; without it the link is relative to the web chat page. */
  publicUrl?: string;
  retentionYears: number;
}

export function localeOf(context: TurnContext, deps: Pick<DialogDeps, 'defaultLocale'>): Locale {
  return resolveLocale(context.activity.locale, deps.defaultLocale);
}

export function textsFor(context: TurnContext, deps: Pick<DialogDeps, 'texts' | 'defaultLocale'>): Translate {
  return deps.texts.for(localeOf(context, deps));
}

/** The user of this turn, as the channel names them. */
export function addressOfTurn(context: TurnContext): Address {
  return addressOf(context.activity);
}

/** The user of this turn with what they have proven: decides what they may see. */
export function requesterOf(context: TurnContext, deps: DialogDeps): Promise<Requester> {
  return deps.identities.requester(addressOf(context.activity));
}

/** A message with buttons: each channel adapter turns suggested actions into what it has. */
export function withChoices(text: string, titles: string[]): Partial<Activity> {
  return MessageFactory.suggestedActions(titles, text);
}

/** Lower case, no accents, no surrounding punctuation: for matching short commands. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/^[\s¡!¿?.,/]+|[\s!?.,]+$/g, '')
    .replace(/\s+/g, ' ');
}

/** Which of the buttons a message picks, by its title or its number (1-based); -1 for none. */
export function pickedButton(text: string, titles: string[]): number {
  const folded = fold(text);
  return titles.findIndex((title, i) => fold(title) === folded || folded === String(i + 1));
}

export type Command = 'cancel' | 'help' | 'menu';
const COMMANDS: Record<string, Command> = {
  cancelar: 'cancel', cancela: 'cancel', cancelo: 'cancel', salir: 'cancel', cancel: 'cancel', stop: 'cancel', 'no quiero seguir': 'cancel',
  ayuda: 'help', help: 'help', 'necesito ayuda': 'help',
  menu: 'menu', inicio: 'menu', 'volver al menu': 'menu', start: 'menu', 'menu principal': 'menu',
};

/** Words around a command that do not change it: "mejor no, cancelar", "cancelar todo por favor", "ugh, never mind, please cancel this". */
const AROUND_A_COMMAND = /^(?:(?:mejor|no|ya|pues|bueno|ok|entonces|por favor|porfa|eso|mejor no|uy|ay|never ?mind|actually|please|just|ugh|oh|sorry|hmm)[\s,]+)*|(?:[\s,]+(?:todo|eso|esto|ya|pues|por favor|porfa|mejor|gracias|please|thanks|it all|everything|this|that|it))*$/g;

/**
 * "cancelar", "ayuda" and "menú" (and their slash-commands) when they are the whole message, give
 * or take a "mejor no" or a "por favor": inside a longer message they are words, not commands.
 */
export function commandOf(text: string | undefined): Command | null {
  if (!text) return null;
  const folded = fold(text);
  const bare = (value: string) => COMMANDS[value] ?? COMMANDS[fold(value.replace(AROUND_A_COMMAND, ''))];
  return bare(folded) ?? bare(folded.replace(REFUSAL_BEFORE, '')) ?? null;
}

/**
 * "no, ya no quiero, mejor cancelar todo": a refusal before the command, set apart from it by a
 * comma or a "mejor" ("ya no quiero cancelar" says the opposite and stays a sentence).
 */
const REFUSAL_BEFORE = /^(?:(?:no|ya|pues|bueno|uy|ay)[\s,]+)*(?:ya\s+)?no\s+quiero(?:\s+(?:seguir|continuar|hacer))?(?:\s+(?:con\s+)?(?:esto|eso|nada))?(?=\s*,|\s+mejor\b)[\s,]*/;

/** The main menu's buttons, shown whenever a conversation comes to rest. */
export function menuChoices(t: Translate): string[] {
  return [t('menu.file'), t('menu.status'), t('menu.channels'), t('menu.help')];
}

/**
 * Someone asked for a person. Until live handoff exists this tells how to reach one; it is the
 * one place the handoff will replace.
 */
export async function offerPerson(context: TurnContext, t: Translate): Promise<void> {
  await context.sendActivity(t('agent.inline', { channels: t('channels.short') }));
}

export function lastDigits(line: string): string {
  return line.slice(-4);
}


/** What a dialog ends with when the user's message was not an answer to it but a new request. */
export interface Reroute {
  reroute: true;
}
