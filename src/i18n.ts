import fs from 'node:fs';
import path from 'node:path';

export const LOCALES = ['es-CO', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export type Vars = Record<string, string | number>;
export type Translate = (key: string, vars?: Vars) => string;

const LOCALES_DIR = path.resolve(__dirname, '..', 'locales');

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
}
