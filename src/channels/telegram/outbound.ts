import type { Activity, CardAction } from 'botbuilder';
import type { InlineKeyboardButton } from 'telegraf/types';
import { splitText } from '../text';
import type { OutboundMessage } from './api';

/** The Bot API's limit on a message's text (after its HTML is parsed). */
export const LIMITS = { text: 4096 } as const;

/**
 * What a dialog may put in `channelData` to say what answer it expects. `expects: 'line'` asks for
 * the user's mobile line, which Telegram can prove with a "share my number" button.
 */
export interface ChannelHints {
  expects?: 'line';
}

export interface RenderOptions {
  /** The label of the button that shares the user's own number. */
  contactButton: string;
  /** True when this activity asks for the user's line (see ChannelHints). */
  asksForLine: boolean;
}

/** A message as sent, and the choices its inline keyboard stands for (by button index). */
export interface RenderedMessage extends OutboundMessage {
  choices?: string[];
  asksForContact?: boolean;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The bot's chat-style text (`*bold*`, line breaks) as Telegram HTML; everything else is escaped. */
export function toHtml(text: string): string {
  return escapeHtml(text).replace(/\*([^*\n]+)\*/g, (whole, inner: string) => (inner.trim() === inner ? `<b>${inner}</b>` : whole));
}

/** A button's callback data (Telegram allows 64 bytes): the choice's index, which the keyboard registry maps back to the choice. */
export function callbackData(index: number): string {
  return `c${index}`;
}

export function choiceIndexOf(data: string): number | null {
  const match = /^c(\d{1,3})$/.exec(data);
  return match ? Number(match[1]) : null;
}

interface Choices {
  values: string[];
  buttons: InlineKeyboardButton[];
}

function choicesOf(activity: Partial<Activity>): Choices {
  const values: string[] = [];
  const buttons: InlineKeyboardButton[] = [];
  for (const action of activity.suggestedActions?.actions ?? ([] as CardAction[])) {
    const title = String(action.title ?? action.value ?? '').trim();
    if (action.type === 'openUrl' && typeof action.value === 'string' && /^https?:\/\//.test(action.value)) {
      buttons.push({ text: title || action.value, url: action.value });
    } else if (title) {
      // One button per row: Telegram shows the whole title, and the value is what the prompt recognises.
      buttons.push({ text: title, callback_data: callbackData(values.length) });
      values.push(typeof action.value === 'string' && action.value.trim() ? action.value : title);
    }
  }
  return { values, buttons };
}

/**
 * One bot activity as Telegram messages: text split at 4,096 characters and rendered as HTML;
 * suggested actions as an inline keyboard on the last piece (one button per row); a question
 * for the user's line with a reply keyboard that shares their own number.
 */
export function toTelegramMessages(activity: Partial<Activity>, options: RenderOptions): RenderedMessage[] {
  const { values, buttons } = choicesOf(activity);
  const text = (activity.text ?? '').trim() || values.map((value, i) => `${i + 1}. ${value}`).join('\n');
  if (!text) return [];
  const messages: RenderedMessage[] = splitText(text, LIMITS.text).map((piece) => ({ html: toHtml(piece), plain: piece }));
  const last = messages[messages.length - 1];
  if (buttons.length) {
    last.replyMarkup = { inline_keyboard: buttons.map((button) => [button]) };
    if (values.length) last.choices = values;
  } else if (options.asksForLine) {
    last.replyMarkup = { keyboard: [[{ text: options.contactButton, request_contact: true }]], one_time_keyboard: true, resize_keyboard: true };
    last.asksForContact = true;
  }
  return messages;
}
