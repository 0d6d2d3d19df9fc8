/**
 * CUN (Código Único Numérico): OOOO-YY-NNNNNNNNNN, the SIC-assigned operator/brand code,
 * the two-digit year and a ten-digit consecutive per code and year.
 */
export interface CunParts {
  code: string;
  year: number;
  seq: number;
}

const CUN_DIGITS = /^(\d{4})-?(\d{2})-?(\d{10})$/;
/** Dashes that phone keyboards and autocorrect produce instead of "-". */
const DASHES = /[\u2010-\u2015\u2212]/g;

export function formatCun({ code, year, seq }: CunParts): string {
  if (!/^\d{4}$/.test(code)) throw new Error(`CUN code must be 4 digits: ${code}`);
  if (!Number.isInteger(year) || year < 2000 || year > 2099) throw new Error(`CUN year out of range: ${year}`);
  if (!Number.isInteger(seq) || seq < 1 || seq > 9_999_999_999) throw new Error(`CUN consecutive out of range: ${seq}`);
  return `${code}-${String(year % 100).padStart(2, '0')}-${String(seq).padStart(10, '0')}`;
}

/** Accepts a CUN with or without dashes (and with spaces/dots users type); null when malformed. */
export function normalizeCun(input: string): string | null {
  const compact = input.trim().replace(DASHES, '-').replace(/[\s.]/g, '');
  const m = CUN_DIGITS.exec(compact);
  if (!m) return null;
  return `${m[1]}-${m[2]}-${m[3]}`;
}

export function parseCun(input: string): CunParts | null {
  const cun = normalizeCun(input);
  if (!cun) return null;
  const [code, yy, seq] = cun.split('-');
  return { code, year: 2000 + Number(yy), seq: Number(seq) };
}

/** Finds a CUN written anywhere inside a sentence ("mi cun es 0101-26-0000000042 gracias"). */
export function findCun(text: string): string | null {
  const m = /(?<!\d)(\d{4})\s*[-.]?\s*(\d{2})\s*[-.]?\s*(\d{10})(?!\d)/.exec(text.replace(DASHES, '-'));
  return m ? `${m[1]}-${m[2]}-${m[3]}` : null;
}
