import { randomInt } from 'node:crypto';
import type { Translate } from '../i18n';
import { AttemptGuard, type AttemptLimit } from '../pqr/lookup-guard';
import type { Clock } from '../pqr/clock';
import { safeEqual } from '../security';
import type { Db } from '../storage';
import type { Address } from './address';
import { proofValue, type Identities, type ProofKind } from './identities';
import type { KeyedDigest } from './secret';
import type { SmsGateway } from './sms';

/** Where a code goes: a line (by SMS) or an e-mail address. */
export interface CodeTarget {
  kind: ProofKind;
  value: string;
}

export const CODE_TTL_MS = 10 * 60_000;
export const CODE_TRIES = 3;
/** Codes one requester may ask for in an hour. */
export const CODE_REQUESTER_LIMIT: AttemptLimit = { maxFailures: 3, windowMs: 3_600_000 };
/** Codes one line or e-mail may receive in an hour, whoever asks: no one can flood a stranger's phone. */
export const CODE_TARGET_LIMIT: AttemptLimit = { maxFailures: 5, windowMs: 3_600_000 };

export type SendResult =
  | { status: 'sent'; targets: CodeTarget[] }
  | { status: 'limited'; retryAt: Date }
  | { status: 'unavailable' }
  | { status: 'failed' };

export type CheckResult =
  | { status: 'verified'; target: CodeTarget }
  | { status: 'wrong'; triesLeft: number }
  | { status: 'exhausted' }
  | { status: 'expired' }
  | { status: 'none' };

/** How codes reach their target; a kind without a way is unavailable. */
export interface CodeDelivery {
  sms?: SmsGateway;
  email?: (to: string, subject: string, text: string) => Promise<void>;
}

/**
 * One-time codes: 6 digits, valid 10 minutes, 3 tries, single use, limited per requester and per
 * target. Only an HMAC of each code is stored and the code is never logged; a right code records
 * the proof of its line or e-mail for the requester's identity.
 */
export class OneTimeCodes {
  private readonly perRequester: AttemptGuard;
  private readonly perTarget: AttemptGuard;
  /** Told when a code could not be delivered (the gateway or SMTP server refused it), for the operator's logs. */
  onDeliveryFailure: (kind: ProofKind, error: unknown) => void = () => undefined;

  constructor(
    private readonly prisma: Db,
    private readonly clock: Clock,
    private readonly identities: Identities,
    private readonly digest: KeyedDigest,
    private readonly delivery: CodeDelivery,
  ) {
    this.perRequester = new AttemptGuard(prisma, clock, 'code-requester', CODE_REQUESTER_LIMIT, digest);
    this.perTarget = new AttemptGuard(prisma, clock, 'code-target', CODE_TARGET_LIMIT, digest);
  }

  /** Whether codes can reach targets of this kind (an SMS gateway for lines, SMTP for e-mail). */
  canSend(kind: ProofKind): boolean {
    return kind === 'line' ? !!this.delivery.sms : !!this.delivery.email;
  }

  /** Sends a fresh code to each target (earlier codes of the requester stop working). */
  async send(requester: Address, targets: CodeTarget[], t: Translate): Promise<SendResult> {
    const valid = targets.flatMap((target) => {
      const value = proofValue(target.kind, target.value);
      return value ? [{ kind: target.kind, value }] : [];
    });
    if (!valid.length || !valid.every((target) => this.canSend(target.kind))) return { status: 'unavailable' };
    const requesterKey = this.perRequester.key('identity', requester.channel, requester.userId);
    const targetKeys = valid.map((target) => this.perTarget.key(target.kind, target.value));
    const blocked = (await this.perRequester.blockedUntil([requesterKey])) ?? (await this.perTarget.blockedUntil(targetKeys));
    if (blocked) return { status: 'limited', retryAt: blocked };
    await this.perRequester.fail([requesterKey]);
    await this.perTarget.fail(targetKeys);

    const identityId = await this.identities.ensureNow(requester);
    const now = this.clock.now();
    await this.prisma.verificationCode.updateMany({ where: { identityId, usedAt: null }, data: { usedAt: now } });
    for (const target of valid) {
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      const row = await this.prisma.verificationCode.create({
        data: { identityId, kind: target.kind, target: target.value, codeHash: this.hash(identityId, target.kind, target.value, code), expiresAt: new Date(now.getTime() + CODE_TTL_MS) },
        select: { id: true },
      });
      try {
        const text = t('verify.code.message', { code, minutes: CODE_TTL_MS / 60_000 });
        if (target.kind === 'line') await this.delivery.sms!.send(target.value, text);
        else await this.delivery.email!(target.value, t('verify.code.subject'), text);
      } catch (error) {
        // A code that never arrived must not stay usable.
        await this.prisma.verificationCode.update({ where: { id: row.id }, data: { usedAt: now } });
        this.onDeliveryFailure(target.kind, error);
        return { status: 'failed' };
      }
    }
    return { status: 'sent', targets: valid };
  }

  /** Checks a typed code against the requester's live codes. */
  async check(requester: Address, typed: string): Promise<CheckResult> {
    const identity = await this.identities.find(requester);
    if (!identity) return { status: 'none' };
    const pending = await this.prisma.verificationCode.findMany({ where: { identityId: identity.id, usedAt: null } });
    if (!pending.length) return { status: 'none' };
    const now = this.clock.now();
    const live = pending.filter((row) => row.expiresAt > now);
    if (!live.length) {
      await this.prisma.verificationCode.updateMany({ where: { id: { in: pending.map((row) => row.id) } }, data: { usedAt: now } });
      return { status: 'expired' };
    }
    const code = typed.replace(/\D/g, '');
    const match = /^\d{6}$/.test(code) ? live.find((row) => safeEqual(row.codeHash, this.hash(identity.id, row.kind, row.target, code))) : undefined;
    if (match) {
      // Single use even when the same code arrives twice at once: only one update finds it unused.
      const claimed = await this.prisma.verificationCode.updateMany({ where: { id: match.id, usedAt: null, attempts: { lt: CODE_TRIES } }, data: { usedAt: now } });
      if (claimed.count === 0) return { status: 'none' };
      await this.prisma.verificationCode.updateMany({ where: { identityId: identity.id, usedAt: null }, data: { usedAt: now } });
      await this.identities.prove(requester, match.kind as ProofKind, match.target, 'code');
      return { status: 'verified', target: { kind: match.kind as ProofKind, value: match.target } };
    }
    const ids = live.map((row) => row.id);
    await this.prisma.verificationCode.updateMany({ where: { id: { in: ids } }, data: { attempts: { increment: 1 } } });
    const attempts = Math.max(...(await this.prisma.verificationCode.findMany({ where: { id: { in: ids } }, select: { attempts: true } })).map((row) => row.attempts));
    if (attempts >= CODE_TRIES) {
      await this.prisma.verificationCode.updateMany({ where: { id: { in: ids } }, data: { usedAt: now } });
      return { status: 'exhausted' };
    }
    return { status: 'wrong', triesLeft: CODE_TRIES - attempts };
  }

  private hash(identityId: number, kind: string, target: string, code: string): string {
    return this.digest.of('one-time-code', String(identityId), kind, target, code);
  }
}
