import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatDbcProblem, parseDbc, type DbcProblem } from '../src/index.js';

const everything = readFileSync(new URL('./fixtures/dbc/everything.dbc', import.meta.url), 'utf8');
const kinds = (problems: DbcProblem[]): string[] => problems.map((p) => p.kind);
const header = 'VERSION ""\n\nNS_ :\n\tCM_\n\nBS_:\n\nBU_: A B\n\n';

describe('parseDbc: every section of a real-world shaped file', () => {
  const { database, problems } = parseDbc(everything, { file: 'everything.dbc' });
  const byName = new Map(database.messages.map((m) => [m.name, m]));

  it('parses without problems but the overlap its float message makes on purpose, skipping the sections it does not use', () => {
    // Floaty lays a float64 over a float32 to have both in one 8-byte message.
    expect(problems.map(formatDbcProblem)).toEqual([
      'everything.dbc:57:2: signals Level (0|32@1+, line 56) and Energy (0|64@1+) of Floaty overlap at bytes 0-3, so at least one of them reads wrong values: a DBC error; fix their start bits and lengths in the DBC (both are decoded as written)',
    ]);
    expect(database.version).toBe('1.2.3');
    expect(database.files).toEqual(['everything.dbc']);
  });

  it('reads nodes across indented lines, with comments and attribute defaults', () => {
    expect(database.nodes.map((n) => n.name)).toEqual(['Engine', 'Gateway', 'Dashboard']);
    const engine = database.nodes[0]!;
    expect(engine.comment).toBe('The engine controller.');
    expect(engine.attributes).toEqual({ NodeLayer: 5 });
    expect(database.nodes[1]!.attributes).toEqual({ NodeLayer: 2 });
  });

  it('reads messages: ids, senders, comments, cycle times, and drops the independent-signals pseudo-message', () => {
    expect([...byName.keys()]).toEqual(['EngineStatus', 'J1939Thing', 'Floaty']);
    const m = byName.get('EngineStatus')!;
    expect(m).toMatchObject({ id: 100, extended: false, length: 8, senders: ['Engine', 'Gateway'], comment: 'Engine state, 10 ms.', cycleTimeMs: 10, fd: false, j1939: false });
    expect(m.location).toEqual({ file: 'everything.dbc', line: 43, column: 1 });
    expect(m.attributes).toEqual({ GenMsgCycleTime: 10, VFrameFormat: 'StandardCAN' });
  });

  it('reads signals: layout, sign, exponent notation, receivers by comma or space, units as written', () => {
    const [rpm, temp, scaled, big] = byName.get('EngineStatus')!.signals;
    expect(rpm).toMatchObject({ name: 'Rpm', startBit: 0, length: 16, byteOrder: 'little_endian', signed: false, factor: 0.25, offset: 0, minimum: 0, maximum: 16383.75, unit: 'rpm', receivers: ['Gateway', 'Dashboard'], comment: 'Crankshaft speed.' });
    expect(rpm!.attributes).toEqual({ GenSigStartValue: 3200 });
    expect(temp).toMatchObject({ offset: -40, unit: '°C' });
    expect(scaled).toMatchObject({ signed: true, factor: 0.015, offset: 1, receivers: ['Gateway', 'Dashboard'] });
    expect(big).toMatchObject({ byteOrder: 'big_endian', startBit: 39, receivers: [] });
  });

  it('attaches value tables (negative keys included) and keeps named ones', () => {
    const temp = byName.get('EngineStatus')!.signals[1]!;
    expect([...temp.values!]).toEqual([[255, 'SNA'], [-1, 'Negative']]);
    expect([...database.valueTables.keys()]).toEqual(['OnOff', 'Empty']);
    expect([...database.valueTables.get('OnOff')!]).toEqual([[1, 'On'], [0, 'Off']]);
  });

  it('reads float and double signals from SIG_VALTYPE_', () => {
    expect(byName.get('Floaty')!.signals.map((s) => s.valueType)).toEqual(['float32', 'float64']);
  });

  it('resolves attributes: ENUM indexes to text, defaults, network values, multi-line comments with escaped quotes', () => {
    const j = byName.get('J1939Thing')!;
    expect(j).toMatchObject({ id: 0x18fef0ff, extended: true, j1939: true });
    expect(j.attributes.VFrameFormat).toBe('J1939PG');
    expect(database.attributes).toEqual({ BusType: 'CAN FD', ProtocolType: '' });
    expect(database.comment).toBe('The network,\nover two lines with a "quoted" word.');
    expect(database.attributeDefinitions.map((d) => `${d.objectType}:${d.name}:${d.type}`)).toEqual([
      'network:BusType:STRING',
      'network:ProtocolType:STRING',
      'node:NodeLayer:INT',
      'message:GenMsgCycleTime:INT',
      'message:VFrameFormat:ENUM',
      'signal:GenSigStartValue:FLOAT',
      'envvar:EvAttr:HEX',
    ]);
    expect(database.attributeDefinitions[4]).toMatchObject({ enumValues: ['StandardCAN', 'ExtendedCAN', 'reserved', 'J1939PG'], defaultValue: 'StandardCAN' });
  });
});

describe('parseDbc: quotes inside strings', () => {
  it('reads a doubled quote as one quote, as a backslashed one, and keeps empty strings empty', () => {
    const text = `${header}BO_ 100 Engine: 8 A\n SG_ Speed : 0|16@1+ (1,0) [0|0] "" B\n\nCM_ SG_ 100 Speed "The ""fast"" one, ""quoted"" twice";\nCM_ BO_ 100 """Engine"" data and a \\"backslashed\\" word";\nVAL_ 100 Speed 0 "" 1 "a ""b""" ;\n`;
    const { database, problems } = parseDbc(text, { file: 'q.dbc' });
    expect(problems.map(formatDbcProblem)).toEqual([]);
    const engine = database.messages.find((m) => m.name === 'Engine')!;
    expect(engine.comment).toBe('"Engine" data and a "backslashed" word');
    const speed = engine.signals.find((s) => s.name === 'Speed')!;
    expect(speed.comment).toBe('The "fast" one, "quoted" twice');
    expect(speed.unit).toBe('');
    expect(speed.values).toEqual(new Map([[0, ''], [1, 'a "b"']]));
  });
});

describe('parseDbc: multiplexing, frame formats and protocol', () => {
  it('links mN signals to the M signal, and SG_MUL_VAL_ ranges to their switch', () => {
    const text = `${header}BO_ 1 Mux: 8 A\n SG_ S M : 0|8@1+ (1,0) [0|0] "" B\n SG_ T m1M : 8|8@1+ (1,0) [0|0] "" B\n SG_ U m3 : 16|8@1+ (1,0) [0|0] "" B\n SG_ V m2 : 16|8@1+ (1,0) [0|0] "" B\n\nSG_MUL_VAL_ 1 T S 1-1;\nSG_MUL_VAL_ 1 U T 3-4, 7-9;\n`;
    const { database, problems } = parseDbc(text);
    expect(problems).toEqual([]);
    const [s, t, u, v] = database.messages[0]!.signals;
    expect(s).toMatchObject({ isMultiplexer: true });
    expect(s!.multiplexer).toBeUndefined();
    expect(t).toMatchObject({ isMultiplexer: true, multiplexer: { signal: 'S', ranges: [{ min: 1, max: 1 }] } });
    expect(u!.multiplexer).toEqual({ signal: 'T', ranges: [{ min: 3, max: 4 }, { min: 7, max: 9 }] });
    expect(v!.multiplexer).toEqual({ signal: 'S', ranges: [{ min: 2, max: 2 }] });
  });

  it('drops multiplexed signals without a usable multiplexor, and what depends on them', () => {
    const noSwitch = parseDbc(`${header}BO_ 1 M1: 8 A\n SG_ X m1 : 0|8@1+ (1,0) [0|0] "" B\n`);
    expect(noSwitch.database.messages[0]!.signals).toEqual([]);
    expect(noSwitch.problems[0]).toMatchObject({ kind: 'invalid_multiplexing', line: 11, message: expect.stringContaining('no multiplexor signal (M)') });

    const cycle = parseDbc(`${header}BO_ 1 M2: 8 A\n SG_ P m1M : 0|8@1+ (1,0) [0|0] "" B\n SG_ Q m1M : 8|8@1+ (1,0) [0|0] "" B\n\nSG_MUL_VAL_ 1 P Q 1-1;\nSG_MUL_VAL_ 1 Q P 1-1;\n`);
    expect(cycle.database.messages[0]!.signals).toEqual([]);
    expect(kinds(cycle.problems)).toEqual(['invalid_multiplexing', 'invalid_multiplexing']);

    const floatSwitch = parseDbc(`${header}BO_ 1 M3: 8 A\n SG_ F M : 0|32@1+ (1,0) [0|0] "" B\n SG_ G m0 : 32|8@1+ (1,0) [0|0] "" B\n\nSIG_VALTYPE_ 1 F : 1;\n`);
    expect(floatSwitch.database.messages[0]!.signals.map((s) => s.name)).toEqual(['F']);
    expect(floatSwitch.problems[0]!.message).toContain('is a float');
  });

  it('marks CAN FD messages by VFrameFormat or length, and J1939 ones by ProtocolType', () => {
    const text = `${header}BO_ 1 Fd: 8 A\nBO_ 2 Long: 20 A\nBO_ 2147483904 Ext: 8 A\nBO_ 3 Std: 8 A\n\n` +
      `BA_DEF_ "ProtocolType" STRING ;\nBA_DEF_ BO_ "VFrameFormat" ENUM "StandardCAN","ExtendedCAN","StandardCAN_FD";\nBA_ "ProtocolType" "J1939";\nBA_ "VFrameFormat" BO_ 1 2;\n`;
    const { database, problems } = parseDbc(text);
    expect(problems).toEqual([]);
    expect(database.messages.map((m) => [m.name, m.fd, m.extended, m.j1939])).toEqual([
      ['Fd', true, false, false],
      ['Long', true, false, false],
      ['Ext', false, true, true],
      ['Std', false, false, false],
    ]);
  });
});

describe('parseDbc: errors name file:line:column and what was expected, and parsing goes on', () => {
  it('reports a bad signal line and keeps the next one', () => {
    const text = `${header}BO_ 1 M: 8 A\n SG_ Bad : 0|8@2+ (1,0) [0|0] "" B\n SG_ Good : 8|8@1+ (1,0) [0|0] "" B\n`;
    const { database, problems } = parseDbc(text, { file: 'car.dbc' });
    expect(problems).toHaveLength(1);
    expect(formatDbcProblem(problems[0]!)).toBe('car.dbc:11:16: SG_: expected the byte order: 0 (big-endian, Motorola) or 1 (little-endian, Intel), found `2`; signal Bad of M was dropped');
    expect(problems[0]!.dropped).toEqual({ message: 'M', signal: 'Bad' });
    expect(database.messages[0]!.signals.map((s) => s.name)).toEqual(['Good']);
  });

  it('stops a broken statement at the next line that starts one, even without its `;`', () => {
    const text = `${header}BO_ 1 M: 8 A\n SG_ X : 0|8@1+ (1,0) [0|0] "" B\n\nCM_ SG_ 1 X "no semicolon"\nVAL_ 1 X 0 "zero" ;\n`;
    const { database, problems } = parseDbc(text);
    expect(problems).toMatchObject([{ kind: 'syntax', line: 14, column: 1, message: 'CM_: expected `;` after the comment, found `VAL_`' }]);
    expect([...database.messages[0]!.signals[0]!.values!]).toEqual([[0, 'zero']]);
  });

  it('reports unknown words, strays, dangling references and an unclosed string', () => {
    const text = `${header}HELLO world\n SG_ Stray : 0|8@1+ (1,0) [0|0] "" B\nBO_ 1 M: 8 A\n SG_ X : 0|8@1+ (1,0) [0|0] "" B\nBO_ 2 N: 8 A\nCM_ BO_ 99 "nobody";\nBA_ "GenMsgCycleTime" SG_ 1 Nope 5;\nVAL_ 1 Missing 1 "x" ;\nSIG_VALTYPE_ 7 Y : 1;\nCM_ "unclosed;\n`;
    const { database, problems } = parseDbc(text, { file: 'f.dbc' });
    const byPlace = [...problems].sort((a, b) => a.line - b.line || a.column - b.column);
    expect(byPlace.map(formatDbcProblem)).toEqual([
      'f.dbc:10:1: expected a DBC keyword (BO_, SG_, CM_, BA_, VAL_...), found `HELLO`',
      'f.dbc:11:2: signal Stray is not inside a message: SG_ lines must follow their BO_ line',
      'f.dbc:15:1: CM_: message 99 is not defined; the statement was ignored',
      'f.dbc:16:1: BA_ "GenMsgCycleTime": signal Nope of message M is not defined; the statement was ignored',
      'f.dbc:17:1: VAL_: signal Missing of message M is not defined; the statement was ignored',
      'f.dbc:18:1: SIG_VALTYPE_: message 7 is not defined; the statement was ignored',
      'f.dbc:19:5: a string is not closed: add the missing `"`',
      'f.dbc:20:1: CM_: expected `;` after the comment, found the end of the file',
    ]);
    expect(database.messages.map((m) => m.name)).toEqual(['M', 'N']);
    expect(database.messages[0]!.signals.map((s) => s.name)).toEqual(['X']);
  });

  it('drops the signals of a message whose BO_ line is broken, reporting it once', () => {
    const { database, problems } = parseDbc(`${header}BO_ x M: 8 A\n SG_ X : 0|8@1+ (1,0) [0|0] "" B\nBO_ 2 N: 8 A\n SG_ Y : 0|8@1+ (1,0) [0|0] "" B\n`);
    expect(problems.map((p) => p.message)).toEqual(['BO_: expected the message id (a number), found `x`']);
    expect(database.messages.map((m) => `${m.name}:${m.signals.map((s) => s.name).join()}`)).toEqual(['N:Y']);
  });

  it('drops impossible signals and messages with the reason', () => {
    const text = `${header}BO_ 1 M: 8 A\n SG_ Long : 0|65@1+ (1,0) [0|0] "" B\n SG_ Past : 510|8@1+ (1,0) [0|0] "" B\n SG_ Out : 60|8@1+ (1,0) [0|0] "" B\n SG_ Out : 0|8@1+ (1,0) [0|0] "" B\n SG_ F : 0|16@1+ (1,0) [0|0] "" B\n` +
      `BO_ 4294967295 Huge: 8 A\nBO_ 5000 Wide: 8 A\nBO_ 6 Fat: 2000 A\n\nSIG_VALTYPE_ 1 F : 1;\n`;
    const { database, problems } = parseDbc(text);
    expect(kinds(problems)).toEqual(['invalid_signal', 'invalid_signal', 'signal_outside_message', 'duplicate_signal', 'invalid_message', 'invalid_message', 'invalid_message', 'invalid_signal']);
    expect(problems[5]!.message).toContain('read as an extended id');
    expect(database.messages.map((m) => [m.name, m.id, m.extended])).toEqual([
      ['M', 1, false],
      ['Wide', 5000, true],
    ]);
    expect(database.messages[0]!.signals.map((s) => s.name)).toEqual(['Out']);
  });

  it('reports a factor of 0 (every frame the offset) and a raw value given two texts (the later used), and keeps both', () => {
    const text = `${header}BO_ 1 M: 8 A\n SG_ Stuck : 0|8@1+ (0,5) [0|0] "" B\n SG_ Gear : 8|8@1+ (1,0) [0|0] "" B\n\nVAL_ 1 Gear 0 "P" 1 "R" 1 "N" 2 "D" 2 "D" ;\n`;
    const { database, problems } = parseDbc(text, { file: 'car.dbc' });
    expect(problems.map(formatDbcProblem)).toEqual([
      'car.dbc:11:2: signal Stuck of M has factor 0: every frame decodes as its offset (5); kept as written',
      'car.dbc:14:1: raw value 1 is given two texts, "R" then "N"; the later is used',
    ]);
    expect(kinds(problems)).toEqual(['constant_signal', 'duplicate_value']);
    const [stuck, gear] = database.messages[0]!.signals;
    expect(stuck!.factor).toBe(0);
    expect([...gear!.values!.entries()]).toEqual([[0, 'P'], [1, 'N'], [2, 'D']]);
  });

  it('reports two messages with one id and keeps the first', () => {
    const { database, problems } = parseDbc(`${header}BO_ 1 First: 8 A\nBO_ 1 Second: 8 A\n`);
    expect(database.messages.map((m) => m.name)).toEqual(['First']);
    expect(problems).toMatchObject([{ kind: 'duplicate_id', line: 11, message: 'message Second has the id of First (line 10); it was dropped' }]);
  });
});

describe('parseDbc: bounds', () => {
  it('skips over-long lines, keeping line numbers right', () => {
    const text = `${header}CM_ "${'x'.repeat(300)}";\nBO_ 1 M: 8 A\n SG_ Q : 0|8@1+ (1,0) [0|0] "" B\n`;
    const { database, problems } = parseDbc(text, { limits: { maxLineLength: 100 } });
    expect(problems).toMatchObject([{ kind: 'limit', line: 10, message: expect.stringContaining('over the limit of 100') }]);
    expect(database.messages[0]!.location.line).toBe(11);
    expect(database.messages[0]!.signals).toHaveLength(1);
  });

  it('caps messages, signals, value-table entries and strings, reporting each cap once', () => {
    const messages = Array.from({ length: 5 }, (_, i) => `BO_ ${i} M${i}: 8 A\n${Array.from({ length: 4 }, (_, j) => ` SG_ S${j} : ${j * 8}|8@1+ (1,0) [0|0] "" B`).join('\n')}`).join('\n');
    const text = `${header}${messages}\nVAL_ 0 S0 ${Array.from({ length: 10 }, (_, i) => `${i} "v${i}"`).join(' ')} ;\nCM_ "${'y'.repeat(50)}";\n`;
    const { database, problems } = parseDbc(text, { limits: { maxMessages: 3, maxSignalsPerMessage: 2, maxValueTableEntries: 4, maxStringLength: 20 } });
    expect(database.messages).toHaveLength(3);
    expect(database.messages.every((m) => m.signals.length === 2)).toBe(true);
    expect(database.messages[0]!.signals[0]!.values!.size).toBe(4);
    expect(kinds(problems)).toEqual(['limit', 'limit', 'limit', 'limit', 'limit', 'limit']);
    expect(database.comment).toBe('y'.repeat(20));
    expect(problems.filter((p) => p.message.includes('has more than 2 signals'))).toHaveLength(3);
  });

  it('refuses a text over the size limit as a problem, not an exception', () => {
    const { database, problems } = parseDbc('x'.repeat(2000), { limits: { maxFileBytes: 1000 } });
    expect(database.messages).toEqual([]);
    expect(problems).toMatchObject([{ kind: 'limit', line: 1, column: 1 }]);
  });
});
