import { parser } from '@prometheus-io/lezer-promql';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkPromql } from '../../../src/adapters/playbook-files/check-promql.js';
import { matchName, pickService, tokenPattern } from '../../../src/domain/discovery/service-names.js';
import { quoteLiteral } from '../../../src/domain/promql/quote.js';
import { matchesSelector } from '../../support/match-selector.js';

describe('matchName', () => {
  it.each([
    ['checkout', 'checkout', 'exact'],
    ['checkout', 'Checkout', 'exact'],
    ['checkout', 'shop/checkout', 'own'],
    ['checkout', 'shop-checkout-8080@kubernetes', 'own'],
    ['checkout', 'checkout@docker', 'own'],
    ['checkout', 'outbound|8080||checkout.shop.svc.cluster.local', 'own'],
    ['checkout', 'shop/checkout/8080/da39a3ee5e', 'own'],
    ['checkout', 'shop_checkout_8080', 'own'],
    ['checkout', 'prod-checkout-http', 'own'],
    ['checkout', 'be_checkout', 'own'],
    ['checkout', 'checkout-7d9f8b6c4-x2x9q', 'own'],
    ['payments', 'payments-api', 'own'],
    ['carts', 'carts-redis', 'dependency'],
    ['users', 'users-db', 'dependency'],
    ['carts', 'redis://carts-redis:6379', 'dependency'],
    ['checkout', 'checkout-worker', 'related'],
    ['cart', 'carts', null],
    ['shipping-quotes', 'shipping', null],
    ['search-api', 'search', null],
  ])('%s in %s → %s', (candidate, value, expected) => {
    expect(matchName(candidate, value)).toBe(expected);
  });
});

describe('pickService', () => {
  it('takes the first candidate some value names, so a real name wins over a word that is none', () => {
    expect(pickService(['throwing', 'payments'], ['payments-api', 'checkout'])).toEqual({
      candidate: 'payments',
      value: 'payments-api',
      match: 'own',
    });
  });

  it('prefers an exact value of the same candidate to a wrapped one', () => {
    expect(pickService(['checkout'], ['shop/checkout', 'checkout'])?.value).toBe('checkout');
  });

  it('never takes a data store or another workload for the service', () => {
    expect(pickService(['carts'], ['carts-redis', 'carts-worker'])).toBeNull();
  });
});

describe('tokenPattern', () => {
  const values = ['checkout', 'shop/checkout', 'checkout-redis', 'checkouts', 'precheckout', 'a-checkout-b'];

  it('selects the values carrying a candidate as whole tokens, case-insensitively', () => {
    const pattern = tokenPattern(['checkout']);
    const kept = [...values, 'CHECKOUT'].filter((v) => matchesSelector({ job: v }, `{job=~${quoteLiteral(pattern)}}`));
    expect(kept).toEqual(['checkout', 'shop/checkout', 'checkout-redis', 'a-checkout-b', 'CHECKOUT']);
  });

  it('never lets a candidate change the selector: any text gives one regex matcher that parses', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', minLength: 1 }), { minLength: 1, maxLength: 4 }), (names) => {
        const usable = names.filter((n) => /[a-z0-9]/i.test(n));
        if (usable.length === 0) return;
        const selector = `{job=~${quoteLiteral(tokenPattern(usable))}}`;
        expect(checkPromql(selector)).toBeNull();
        const kinds: string[] = [];
        parser.parse(selector).iterate({ enter: (n) => void kinds.push(n.name) });
        expect(kinds.filter((k) => k.endsWith('LabelMatcher'))).toHaveLength(1);
        expect(kinds.filter((k) => k === 'StringLiteral')).toHaveLength(1);
        expect(() => new RegExp(tokenPattern(usable).replace('(?i)', ''), 'i')).not.toThrow();
      }),
      { numRuns: 1000 },
    );
  });
});
