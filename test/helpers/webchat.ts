import type { RunningApp } from './app';
import { DirectLineUser } from '../notify/directline-client';

export const CUN = /\d{4}-\d{2}-\d{10}/;

/** A Web Chat user over Direct Line whose `turn` returns what the bot said to that message. */
export class WebChat {
  private constructor(
    private readonly running: RunningApp,
    private readonly user: DirectLineUser,
  ) {}

  static async open(running: RunningApp): Promise<WebChat> {
    return new WebChat(running, await DirectLineUser.connect(running.url));
  }

  /** Waits for a message the bot sends on its own (a notice from the outbox). */
  waitFor(pattern: RegExp | string): Promise<string> {
    return this.user.waitForBot(pattern);
  }

  /** Every reply of the turn: waits for the first, then until no more arrive for a moment. */
  async turn(text: string): Promise<string> {
    const before = (await this.user.botTexts()).length;
    await this.user.say(text);
    const deadline = Date.now() + 10_000;
    let texts = await this.user.botTexts();
    for (let seen = -1; (texts.length === before || texts.length !== seen) && Date.now() < deadline; ) {
      seen = texts.length;
      await this.running.app.webchat.idle();
      await new Promise((resolve) => setTimeout(resolve, 100));
      texts = await this.user.botTexts();
    }
    // As the user reads it: Web Chat's markdown (bold, line breaks) left out.
    return texts.slice(before).join('\n').replace(/\*\*([^*\s][^*]*?)\*\*/g, '$1').replace(/ +\n/g, '\n');
  }
}

export async function fileAsNonCustomer(chat: WebChat, person: { name: string; document: string; email: string }): Promise<string> {
  await chat.turn('quiero solicitar una copia de mi contrato');
  await chat.turn('Acepto');
  await chat.turn('No');
  await chat.turn(person.name);
  await chat.turn('Cédula de ciudadanía');
  await chat.turn(person.document);
  await chat.turn(person.email);
  await chat.turn('necesito una copia del contrato que firmé cuando compré el equipo');
  await chat.turn('Es todo');
  await chat.turn('Sí');
  await chat.turn('Por correo');
  const filed = await chat.turn('Sí, radicar');
  const cun = CUN.exec(filed)?.[0];
  if (!cun) throw new Error(`not filed: ${filed}`);
  return cun;
}

