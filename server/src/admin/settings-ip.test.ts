import { describe, expect, it } from 'vitest';
import { isIpOrSubnet, isLoopbackIp, matchesIpList } from './settings-ip.ts';

describe('IP lists', () => {
  it('accepts addresses and subnets, refuses the rest', () => {
    for (const ok of ['1.2.3.4', '10.0.0.0/8', '::1', '2001:db8::/32', 'fe80::1', '::ffff:10.1.2.3', '64:ff9b::1.2.3.4']) expect(isIpOrSubnet(ok), ok).toBe(true);
    for (const bad of ['', 'x', '1.2.3', '1.2.3.4/33', '10.0.0.0/8/1', '2001:db8::/129', '1.2.3.4/-1', 'localhost']) expect(isIpOrSubnet(bad), bad).toBe(false);
  });

  it('matches exact addresses and subnets, v4-mapped v6 as v4', () => {
    expect(matchesIpList('10.1.2.3', ['10.0.0.0/8'])).toBe(true);
    expect(matchesIpList('11.1.2.3', ['10.0.0.0/8'])).toBe(false);
    expect(matchesIpList('192.168.1.77', ['192.168.1.64/26'])).toBe(true);
    expect(matchesIpList('192.168.1.128', ['192.168.1.64/26'])).toBe(false);
    expect(matchesIpList('::ffff:10.9.9.9', ['10.0.0.0/8'])).toBe(true);
    expect(matchesIpList('2001:db8:1::5', ['2001:db8::/32'])).toBe(true);
    expect(matchesIpList('2001:db9::5', ['2001:db8::/32'])).toBe(false);
    expect(matchesIpList('1.2.3.4', ['1.2.3.4'])).toBe(true);
    expect(matchesIpList('1.2.3.5', ['1.2.3.4'])).toBe(false);
    expect(matchesIpList('not-an-ip', ['0.0.0.0/0'])).toBe(false);
    expect(isLoopbackIp('127.0.0.9')).toBe(true);
    expect(isLoopbackIp('::1')).toBe(true);
    expect(isLoopbackIp('10.0.0.1')).toBe(false);
  });
});
