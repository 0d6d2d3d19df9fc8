import { isLoopbackAddress } from '../../src/http';

describe('which client addresses count as this machine (anonymous /api/messages)', () => {
  it.each(['127.0.0.1', '127.255.0.9', '::1', '[::1]', '::ffff:127.0.0.1', '::FFFF:127.0.0.2'])('%s is loopback', (address) => {
    expect(isLoopbackAddress(address)).toBe(true);
  });

  it.each(['10.0.0.1', '192.168.1.20', '203.0.113.7', '::ffff:10.0.0.1', 'fe80::1', '::', '0.0.0.0', 'localhost', '127.0.0.1.attacker.example', '127.0.0.1, 10.0.0.1', '', 'unknown'])(
    '%s is not',
    (address) => {
      expect(isLoopbackAddress(address)).toBe(false);
    },
  );
});
