import { loadConfig } from '../../src/config';
import { pageConfig } from '../../src/channels/directline/page';
import { brandColorProblem, contrastRatio, MIN_TEXT_CONTRAST } from '../../src/contrast';

describe('brand colour of the web chat page', () => {
  it('measures contrast as WCAG does: black on white is 21:1, white on white 1:1', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBe(21);
    expect(contrastRatio('#ffffff', '#ffffff')).toBe(1);
  });

  it('accepts the default colour and dark brand colours', () => {
    expect(loadConfig({}).webchat.brandColor).toBe('#0b5cab');
    expect(loadConfig({ WEBCHAT_BRAND_COLOR: '#7a1fa2' }).webchat.brandColor).toBe('#7a1fa2');
  });

  it.each(['#ffcc00', '#808080', '#1ea7fd'])('refuses %s, too light for white text and for text on white, naming a darker shade that passes', (color) => {
    expect(() => loadConfig({ WEBCHAT_BRAND_COLOR: color })).toThrow(/WEBCHAT_BRAND_COLOR: .* with white; the web chat needs at least 4\.5:1/);
    const suggested = /e\.g\. (#[0-9a-f]{6})/.exec(brandColorProblem(color)!)![1];
    expect(contrastRatio(suggested, '#ffffff')).toBeGreaterThanOrEqual(MIN_TEXT_CONTRAST);
    expect(brandColorProblem(suggested)).toBeNull();
  });

  it('falls back to the default on the page when given a colour that fails', () => {
    expect(pageConfig({ brandColor: '#ffcc00' }).brandColor).toBe('#1d4f91');
    expect(pageConfig({ brandColor: '#7a1fa2' }).brandColor).toBe('#7a1fa2');
  });
});
