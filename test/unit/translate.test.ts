import { Texts } from '../../src/i18n';

const texts = new Texts({ operator: 'Plintron Colombia', policyUrl: 'https://example.co/privacidad' });
const es = texts.for('es-CO');
const en = texts.for('en');

describe('Texts.translate: a text already rendered, in the other language', () => {
  test('one message with its placeholders carried over', () => {
    expect(texts.translate(es('customer.knownNonCustomer', { name: 'Ana Pérez' }), 'es-CO', 'en')).toBe(en('customer.knownNonCustomer', { name: 'Ana Pérez' }));
  });

  test('several messages joined by line breaks, and a placeholder whose value is itself a message', () => {
    const proposal = (t: typeof es) => t('file.type.propose', { type: t('type.reclamo'), definition: t('type.reclamo.definition') });
    expect(texts.translate(`${es('choice.retry')}\n${proposal(es)}`, 'es-CO', 'en')).toBe(`${en('choice.retry')}\n${proposal(en)}`);
  });

  test('both ways, and the same language is the same text', () => {
    expect(texts.translate(en('consent.notice'), 'en', 'es-CO')).toBe(es('consent.notice'));
    expect(texts.translate('cualquier cosa', 'es-CO', 'es-CO')).toBe('cualquier cosa');
  });

  test.each(['hola mundo', '', `${es('consent.accept')}\nalgo que no es un mensaje`])('%j is not made of messages: null', (text) => {
    expect(texts.translate(text, 'es-CO', 'en')).toBeNull();
  });
});
