/** SUBACK and UNSUBACK reason codes from 0x80 up are refusals (MQTT 3.1.1 has only 0x80). */
const REFUSALS: Record<number, string> = {
  0x80: 'unspecified error', 0x83: 'implementation specific error', 0x87: 'not authorized', 0x8f: 'topic filter invalid', 0x91: 'packet identifier in use',
  0x97: 'quota exceeded', 0x9e: 'shared subscriptions not supported', 0xa1: 'subscription identifiers not supported', 0xa2: 'wildcard subscriptions not supported',
};

/** What a refusal's reason code means, in words; an unknown one by its number. */
export function refusalReason(code: number): string {
  return REFUSALS[code] ?? `reason code 0x${code.toString(16)}`;
}
