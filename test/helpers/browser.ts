import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium; playwright's own browser download does not work on these machines. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const BOT_TEXT = '.webchat__bubble:not(.webchat__bubble--from-user) .webchat__bubble__content';
const USER_TEXT = '.webchat__bubble--from-user .webchat__bubble__content';
const SEND_BOX = '[data-id="webchat-sendbox-input"]';

export function chromiumAvailable(): boolean {
  return fs.existsSync(CHROMIUM_PATH);
}

/**
 * `describe` for browser tests. Without Chromium they fail in CI (CI=true), so a broken
 * machine cannot pass silently, and are skipped with a message elsewhere.
 */
export function describeWithBrowser(name: string, body: () => void): void {
  if (chromiumAvailable()) {
    describe(name, body);
  } else if (process.env.CI === 'true') {
    describe(name, () => {
      it('needs Chromium', () => {
        throw new Error(`Chromium not found at ${CHROMIUM_PATH}: install it with "apt-get install -y chromium" (CI must run the browser tests)`);
      });
    });
  } else {
    // eslint-disable-next-line no-console
    console.warn(`Skipping "${name}": Chromium not found at ${CHROMIUM_PATH} (apt-get install -y chromium).`);
    describe.skip(name, body);
  }
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true });
}

export interface ChatPage {
  page: Page;
  /** Console errors and uncaught exceptions seen in the page, including CSP violations. */
  errors: string[];
  close(): Promise<void>;
}

/** Opens the web chat page in a fresh context (its own sessionStorage) at a given screen size. */
export async function openChat(browser: Browser, url: string, viewport = { width: 1024, height: 768 }): Promise<ChatPage> {
  const context = await browser.newContext({ viewport, locale: 'es-CO', timezoneId: 'America/Bogota' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { page, errors, close: () => context.close() };
}

/** Types into Web Chat's send box and sends with Enter, as a person would. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = page.locator(SEND_BOX);
  await box.waitFor({ state: 'visible' });
  await box.fill(text);
  await box.press('Enter');
}

/** Waits until a bot bubble matches `pattern`; returns that bubble's text. */
export async function waitForBotText(page: Page, pattern: RegExp, timeoutMs = 15_000): Promise<string> {
  const bubble = page.locator(BOT_TEXT).filter({ hasText: pattern }).last();
  await bubble.waitFor({ state: 'visible', timeout: timeoutMs });
  return (await bubble.innerText()).trim();
}

/** Texts of the bot's bubbles, oldest first. */
export async function botTexts(page: Page): Promise<string[]> {
  return (await page.locator(BOT_TEXT).allInnerTexts()).map((text) => text.trim());
}

/** Texts of the user's own bubbles, oldest first. */
export async function userTexts(page: Page): Promise<string[]> {
  return (await page.locator(USER_TEXT).allInnerTexts()).map((text) => text.trim());
}

/** Clicks the suggested action (button) whose title is `title`. */
export async function clickSuggestedAction(page: Page, title: string | RegExp, timeoutMs = 15_000): Promise<void> {
  const button = page.locator('.webchat__suggested-action').filter({ hasText: title }).first();
  await button.waitFor({ state: 'visible', timeout: timeoutMs });
  await button.click();
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** The WCAG 2.1 A and AA rules axe-core checks (its tags). */
export const WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/**
 * Serious and critical violations of WCAG 2.1 A/AA that axe-core finds on the page as it is now.
 * axe is evaluated through the DevTools protocol, which the pages' strict CSP does not block.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => typeof (window as unknown as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const violations = await page.evaluate(async (tags) => {
    const axe = (window as unknown as { axe: { run: (context: Document, options: object) => Promise<{ violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[] }> } }).axe;
    const result = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  }, WCAG_21_AA);
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Presses `key` until the focused element satisfies `matches` (its tag, text, label, id); fails after `max` presses. */
export async function pressUntilFocused(page: Page, key: string, matches: (focused: { tag: string; text: string; label: string; id: string }) => boolean, max = 40): Promise<void> {
  const focused = () =>
    page.evaluate(() => {
      const e = document.activeElement as HTMLElement | null;
      return { tag: e?.tagName.toLowerCase() ?? '', text: (e?.innerText ?? '').trim(), label: e?.getAttribute('aria-label') ?? '', id: e?.id ?? '' };
    });
  for (let i = 0; i < max; i++) {
    if (matches(await focused())) return;
    await page.keyboard.press(key);
  }
  throw new Error(`"${key}" pressed ${max} times without reaching the element; focus is on ${JSON.stringify(await focused())}`);
}

/** Whether focusing the element changes how it looks (outline, ring, colour): compared pixel for pixel. */
export async function focusIsVisible(page: Page, selector: string): Promise<boolean> {
  const element = page.locator(selector).first();
  await element.scrollIntoViewIfNeeded();
  const box = await element.boundingBox();
  if (!box) throw new Error(`${selector} is not on screen`);
  // A focus ring is usually drawn just outside the element: the picture takes a margin around it.
  const clip = { x: Math.max(0, box.x - 8), y: Math.max(0, box.y - 8), width: box.width + 16, height: box.height + 16 };
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const before = await page.screenshot({ clip, animations: 'disabled' });
  await element.focus();
  // Keyboard focus: :focus-visible applies after a key press, not after a click.
  await page.keyboard.press('Shift');
  const after = await page.screenshot({ clip, animations: 'disabled' });
  return !before.equals(after);
}

/** Web Chat with the keyboard only: from the send box, Shift+Tab to the suggested actions, arrows to the one titled `title`, Enter. */
export async function chooseSuggestedActionWithKeyboard(page: Page, title: string | RegExp, timeoutMs = 15_000): Promise<void> {
  await page.locator('.webchat__suggested-action').filter({ hasText: title }).first().waitFor({ state: 'visible', timeout: timeoutMs });
  await pressUntilFocused(page, 'Tab', (f) => f.tag === 'input' && /mensaje/i.test(f.label + f.text), 20);
  await page.keyboard.press('Shift+Tab');
  const matches = (text: string) => (typeof title === 'string' ? text === title : title.test(text));
  await pressUntilFocused(page, 'ArrowRight', (f) => f.tag === 'button' && matches(f.text), 12);
  await page.keyboard.press('Enter');
}

/** Web Chat with the keyboard only: Tab to the send box, type, Enter. */
export async function sendMessageWithKeyboard(page: Page, text: string): Promise<void> {
  await pressUntilFocused(page, 'Tab', (f) => f.tag === 'input' && /mensaje/i.test(f.label + f.text), 20);
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/**
 * A page for the back office in Bogotá's time zone and Colombian Spanish, with the page's console
 * errors and uncaught exceptions collected in `errors` (a test ends by expecting none).
 */
export async function openBackofficePage(browser: Browser, viewport = { width: 1366, height: 900 }): Promise<{ page: Page; errors: string[] }> {
  const errors: string[] = [];
  const context = await browser.newContext({ viewport, locale: 'es-CO', timezoneId: 'America/Bogota' });
  const page = await context.newPage();
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return { page, errors };
}

/** Opens the back office and signs in with the form, as an agent would. */
export async function signInToBackoffice(page: Page, baseUrl: string, email: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/backoffice`);
  await page.getByLabel('Correo electrónico').fill(email);
  await page.getByLabel('Contraseña').fill(password);
  await page.getByRole('button', { name: 'Ingresar' }).click();
}
