export { addressKey, addressOf, parseAddressKey, type Address } from './address';
export { Identities, proofValue, type IdentityRow, type ProofKind, type ProofMethod, type Requester } from './identities';
export { OneTimeCodes, CODE_TRIES, CODE_TTL_MS, type CodeDelivery, type CodeTarget, type CheckResult, type SendResult } from './codes';
export { loadLookupSecret, KeyedDigest } from './secret';
export { jasminGateway, SmsGatewayError, type SmsGateway } from './sms';
