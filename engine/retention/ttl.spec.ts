import { verifyArchive } from './archive';
import { historyTimeToLiveOf, parseTimeToLive, removalCutoff } from './ttl';

describe('history time to live', () => {
  it('reads days, ISO durations in days or weeks, and nothing as keep forever', () => {
    expect(parseTimeToLive('180')).toBe(180);
    expect(parseTimeToLive(' P180D ')).toBe(180);
    expect(parseTimeToLive('P2W')).toBe(14);
    expect(parseTimeToLive('P1W3D')).toBe(10);
    expect(parseTimeToLive('0')).toBe(0);
    expect(parseTimeToLive(undefined)).toBeNull();
    expect(parseTimeToLive('  ')).toBeNull();
  });

  it('refuses what it cannot read as days', () => {
    for (const bad of ['P', 'P6M', 'PT12H', '-5', '1.5', 'soon']) expect(() => parseTimeToLive(bad)).toThrow(/days/);
  });

  it('finds camunda:historyTimeToLive on the deployed process', async () => {
    const xml = `<?xml version="1.0"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="d" targetNamespace="x">
      <bpmn:process id="other" isExecutable="false" camunda:historyTimeToLive="5"/>
      <bpmn:process id="main" isExecutable="true" camunda:historyTimeToLive="P30D"/></bpmn:definitions>`;
    expect(await historyTimeToLiveOf(xml, 'main')).toBe(30);
    expect(await historyTimeToLiveOf(xml.replace(' camunda:historyTimeToLive="P30D"', ''), 'main')).toBeNull();
  });

  it('removes what ended before now minus the time to live', () => {
    expect(removalCutoff(new Date('2026-03-31T12:00:00Z'), 30).toISOString()).toBe('2026-03-01T12:00:00.000Z');
  });

  it('refuses an archive without its header or with lines that are not instances', () => {
    expect(verifyArchive('').valid).toBe(false);
    expect(verifyArchive('{"kind":"instance"}\n').problems[0]!.reason).toMatch(/header/);
    expect(verifyArchive('{"kind":"header","format":"itsm-history-archive/v1"}\nnot json\n').problems[0]!.reason).toMatch(/line 2 is not JSON/);
  });
});
