import fs from 'node:fs';
import path from 'node:path';
import { fromRoot } from './paths';

export const LOCALES = ['es-CO', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export type Vars = Record<string, string | number>;
export type Translate = (key: string, vars?: Vars) => string;

const LOCALES_DIR = fromRoot('locales');

export function loadMessages(locale: Locale): Record<string, string> {
  return JSON.parse(fs.readFileSync(path.join(LOCALES_DIR, locale, 'messages.json'), 'utf8'));
}

/** Picks the supported locale for a channel's locale tag ("es", "es-ES", "en-US"…). */
export function resolveLocale(tag: string | undefined, fallback: Locale): Locale {
  if (!tag) return fallback;
  const lower = tag.toLowerCase();
  if (lower.startsWith('en')) return 'en';
  if (lower.startsWith('es')) return 'es-CO';
  return fallback;
}

/**
 * Every text the bot says, by key, from locales/<locale>/messages.json; `{name}` placeholders
 * are filled from `vars`. A missing key is a bug, so it throws rather than show the key.
 */
export class Texts {
  private readonly messages = new Map<Locale, Record<string, string>>();
  private readonly patterns = new Map<Locale, MessagePattern[]>();

  constructor(private readonly common: Vars = {}) {
    for (const locale of LOCALES) this.messages.set(locale, loadMessages(locale));
  }

  for(locale: Locale): Translate {
    const table = this.messages.get(locale)!;
    return (key, vars = {}) => {
      const template = table[key];
      if (template === undefined) throw new Error(`Missing text "${key}" in locale ${locale}`);
      return template.replace(/\{(\w+)\}/g, (whole, name: string) => {
        const value = vars[name] ?? this.common[name];
        return value === undefined ? whole : String(value);
      });
    };
  }

  /**
   * The same text in another language, for a text already sent (or stored to be re-sent) in one:
   * one message of the table, or several joined by line breaks, with their placeholders' values
   * carried over (a value that is itself a message, like a PQR type's name, is translated too).
   * Null when some part of it is not a message of the table.
   */
  translate(text: string, from: Locale, to: Locale): string | null {
    if (from === to) return text;
    const source = this.messages.get(from)!;
    const target = this.messages.get(to)!;
    const patterns = this.patternsOf(from);
    const valueKey = new Map(Object.entries(source).map(([key, value]) => [value, key]));
    const lines = text.split('\n');
    const failed = new Set<number>();
    const from_ = (start: number): string | null => {
      if (start === lines.length) return '';
      if (failed.has(start)) return null;
      for (let end = lines.length; end > start; end--) {
        const part = lines.slice(start, end).join('\n');
        for (const { key, regex, names } of patterns) {
          const match = regex.exec(part);
          if (!match) continue;
          const rest = from_(end);
          if (rest === null) break;
          const values = new Map(names.map((name, i) => [name, match[i + 1]]));
          const translated = target[key].replace(/\{(\w+)\}/g, (whole, name: string) => {
            const value = values.get(name);
            if (value === undefined) return whole;
            const asMessage = valueKey.get(value);
            return asMessage && target[asMessage] !== undefined ? target[asMessage] : value;
          });
          return end === lines.length ? translated : `${translated}\n${rest}`;
        }
      }
      failed.add(start);
      return null;
    };
    return from_(0);
  }

  private patternsOf(locale: Locale): MessagePattern[] {
    let patterns = this.patterns.get(locale);
    if (!patterns) {
      patterns = Object.entries(this.messages.get(locale)!)
        // A message that is only placeholders would match anything.
        .filter(([, template]) => /[\p{L}\p{N}]/u.test(template.replace(/\{\w+\}/g, '')))
        .map(([key, template]) => {
          const names: string[] = [];
          const body = template
            .split(/(\{\w+\})/)
            .map((part) => {
              const name = /^\{(\w+)\}$/.exec(part)?.[1];
              if (!name) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
              names.push(name);
              return '([\\s\\S]*?)';
            })
            .join('');
          return { key, regex: new RegExp(`^${body}$`), names };
        });
      this.patterns.set(locale, patterns);
    }
    return patterns;
  }
}

interface MessagePattern {
  key: string;
  regex: RegExp;
  /** Placeholder names, in the order of the regex's groups. */
  names: string[];
}
