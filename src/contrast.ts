import { colord, extend } from 'colord';
import a11y from 'colord/plugins/a11y';

extend([a11y]);

/** WCAG 2.1 AA, success criterion 1.4.3: normal text needs this contrast against its background. */
export const MIN_TEXT_CONTRAST = 4.5;
const WHITE = '#ffffff';

/** Contrast ratio of two colours, from 1 to 21, as WCAG defines it. */
export function contrastRatio(a: string, b: string): number {
  return colord(a).contrast(b);
}

/**
 * Why a brand colour cannot be used on the web chat page, or null when it can. The page writes
 * it as text on white (suggested actions, links) and puts white text on it (the header, the
 * user's bubbles), so it needs MIN_TEXT_CONTRAST against white. The reason offers the nearest
 * darker shade of the same hue that passes, so the operator can keep the brand's look.
 */
export function brandColorProblem(hex: string): string | null {
  const ratio = contrastRatio(hex, WHITE);
  if (ratio >= MIN_TEXT_CONTRAST) return null;
  let shade = colord(hex);
  while (shade.contrast(WHITE) < MIN_TEXT_CONTRAST) shade = shade.darken(0.01);
  return `${hex} has a contrast of ${ratio}:1 with white; the web chat needs at least ${MIN_TEXT_CONTRAST}:1 (WCAG 2.1 AA), e.g. ${shade.toHex()}, a darker shade of the same colour`;
}
