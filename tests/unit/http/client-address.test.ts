import { addressKey, clientAddress, TrustedProxies } from '../../../src/http/client-address';

const none = new TrustedProxies([]);
const proxy = new TrustedProxies(['127.0.0.1', '10.0.0.0/8', '::1']);

describe('clientAddress', () => {
  it('is the connection peer, whatever X-Forwarded-For says, when no proxy is trusted', () => {
    expect(clientAddress('203.0.113.7', '198.51.100.1', none)).toBe('203.0.113.7');
    expect(clientAddress('127.0.0.1', '198.51.100.1', none)).toBe('127.0.0.1');
  });

  it('takes the address a trusted proxy appended, not what the client wrote before it', () => {
    expect(clientAddress('127.0.0.1', '198.51.100.1', proxy)).toBe('198.51.100.1');
    // A client that sends its own X-Forwarded-For only adds entries to the left.
    expect(clientAddress('127.0.0.1', '1.2.3.4, 198.51.100.1', proxy)).toBe('198.51.100.1');
    // Through two trusted proxies: the first untrusted address from the right.
    expect(clientAddress('127.0.0.1', '1.2.3.4, 198.51.100.1, 10.1.2.3', proxy)).toBe('198.51.100.1');
  });

  it('believes no X-Forwarded-For from a peer that is not a trusted proxy', () => {
    expect(clientAddress('203.0.113.7', '198.51.100.1', proxy)).toBe('203.0.113.7');
  });

  it('stops at an entry that is not an address, keeping the proxy that passed it', () => {
    expect(clientAddress('127.0.0.1', 'unknown', proxy)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', '198.51.100.1, nonsense', proxy)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', '', proxy)).toBe('127.0.0.1');
  });

  it('reads an IPv4 peer on an IPv6 socket as IPv4', () => {
    expect(clientAddress('::ffff:127.0.0.1', '198.51.100.1', proxy)).toBe('198.51.100.1');
    expect(clientAddress('::ffff:203.0.113.7', '', none)).toBe('203.0.113.7');
  });

  it('has an address even when the socket has none left', () => {
    expect(clientAddress(undefined, '', none)).toBe('unknown');
  });
});

describe('addressKey', () => {
  it('is the address itself for IPv4', () => {
    expect(addressKey('203.0.113.7')).toBe('203.0.113.7');
  });

  it("is an IPv6 client's /64, which one host may fill with addresses", () => {
    expect(addressKey('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:0DB8:0001:0002:ffff::1')).toBe('2001:db8:1:2::/64');
    expect(addressKey('2001:db8::1')).toBe('2001:db8:0:0::/64');
    expect(addressKey('::1')).toBe('0:0:0:0::/64');
    expect(addressKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKey('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });
});
