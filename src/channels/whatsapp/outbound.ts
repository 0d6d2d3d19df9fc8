import type { Activity, CardAction } from 'botbuilder';
import type { OutboundMessage } from './graph';
import { splitText } from '../text';

/** The Cloud API's limits for free-form messages. */
export const LIMITS = {
  text: 4096,
  buttonBody: 1024,
  listBody: 4096,
  buttons: 3,
  buttonTitle: 20,
  rows: 10,
  rowTitle: 24,
  id: 256,
} as const;

interface Choice {
  title: string;
  /** What the user "says" by choosing it: the text the dialog's prompt recognises. */
  value: string;
}

function cut(title: string, max: number): string {
  const chars = Array.from(title.trim());
  return chars.length <= max ? chars.join('') : `${chars.slice(0, max - 1).join('')}…`;
}

/**
 * A reply button's or list row's id carries the choice it stands for, so the answer maps back to
 * the full choice even when its title was cut, without remembering anything between turns.
 */
export function choiceId(index: number, value: string): string {
  const id = `c${index + 1}:${value}`;
  // Too long for an id: the option's number is an answer every choice prompt understands too.
  return id.length <= LIMITS.id ? id : `c${index + 1}`;
}

/** The text a tapped button or row stands for, or null when the id is not one of ours. */
export function choiceFromId(id: string): string | null {
  const match = /^c(\d+)(?::([\s\S]*))?$/.exec(id);
  if (!match) return null;
  return match[2] ?? match[1];
}

function choicesOf(activity: Partial<Activity>): { choices: Choice[]; links: string[] } {
  const choices: Choice[] = [];
  const links: string[] = [];
  for (const action of activity.suggestedActions?.actions ?? ([] as CardAction[])) {
    const title = String(action.title ?? action.value ?? '').trim();
    if (action.type === 'openUrl' && typeof action.value === 'string') {
      links.push(title && title !== action.value ? `${title}: ${action.value}` : action.value);
    } else if (title) {
      choices.push({ title, value: typeof action.value === 'string' && action.value.trim() ? action.value : title });
    }
  }
  return { choices, links };
}

function numbered(choices: Choice[]): string {
  return choices.map((choice, i) => `${i + 1}. ${choice.title}`).join('\n');
}

/** Text pieces, with the last one short enough to be an interactive message's body, cut at a boundary. */
function withBody(text: string, bodyLimit: number): { before: string[]; body: string } {
  if (text.length <= bodyLimit) return { before: [], body: text };
  const start = text.length - bodyLimit;
  const window = text.slice(start);
  let cut = -1;
  for (const separator of ['\n\n', '\n', ' ']) {
    const at = window.indexOf(separator);
    if (at >= 0 && at <= bodyLimit / 2) {
      cut = start + at;
      break;
    }
  }
  if (cut < 0) cut = /[\uDC00-\uDFFF]/.test(text[start]) ? start + 1 : start;
  return { before: splitText(text.slice(0, cut).trimEnd(), LIMITS.text), body: text.slice(cut).trim() };
}

const texts = (bodies: string[]): OutboundMessage[] => bodies.map((body) => ({ kind: 'text', body }));

/**
 * One bot activity as WhatsApp messages: text split at the platform's limit; suggested actions as
 * reply buttons (up to 3), a list (up to 10 rows), or numbered lines beyond that. `listButton` is
 * the label of the button that opens a list.
 */
export function toWhatsAppMessages(activity: Partial<Activity>, listButton: string): OutboundMessage[] {
  const { choices, links } = choicesOf(activity);
  const text = [activity.text ?? '', ...links].filter((part) => part.trim()).join('\n');
  if (choices.length === 0) return texts(splitText(text, LIMITS.text));
  if (choices.length > LIMITS.rows) return texts(splitText(`${text}\n\n${numbered(choices)}`.trim(), LIMITS.text));

  const asButtons = choices.length <= LIMITS.buttons;
  const { before, body } = withBody(text, asButtons ? LIMITS.buttonBody : LIMITS.listBody);
  // An interactive message needs a body; a bare choice gets its options as text.
  const bodyText = body || numbered(choices);
  const options = choices.map((choice, i) => ({ id: choiceId(i, choice.value), title: cut(choice.title, asButtons ? LIMITS.buttonTitle : LIMITS.rowTitle) }));
  const interactive: OutboundMessage = asButtons
    ? { kind: 'buttons', body: bodyText, buttons: options }
    : { kind: 'list', body: bodyText, buttonText: cut(listButton, LIMITS.buttonTitle), rows: options };
  return [...texts(before), interactive];
}
