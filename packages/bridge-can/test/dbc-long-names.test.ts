import { describe, expect, it } from 'vitest';
import { createCanDecoder, formatDbcProblem, parseDbc } from '../src/index.js';
import { planCan } from '../src/decode-plan.js';
import { resolveCanConfig } from '../src/resolve.js';
import { canConfigSchema } from '../src/config.js';

// As Vector's CANdb++ writes names over 32 characters (and as cantools' long_names.dbc has them):
// the name cut and numbered in BU_, BO_ and SG_, the whole name in a System*LongSymbol attribute.
// Every other statement (VAL_, CM_, SG_MUL_VAL_, BA_) names the object by the name written.
const DBC = `VERSION ""

NS_ :

BS_:

BU_: EngineControlModule_Powertr_0000 Gateway

BO_ 256 EngineCoolantAndOilTemperat_0000: 8 EngineControlModule_Powertr_0000
 SG_ CoolantTemperatureSensorRaw_0000 : 0|8@1+ (1,-40) [-40|215] "degC" Gateway
 SG_ Page M : 8|8@1+ (1,0) [0|255] "" Gateway
 SG_ OilTemperatureAfterFilterMea_0000 m1 : 16|8@1+ (1,-40) [-40|215] "degC" Gateway
 SG_ Status : 24|2@1+ (1,0) [0|3] "" Gateway

CM_ SG_ 256 CoolantTemperatureSensorRaw_0000 "Coolant at the engine outlet";
BA_DEF_ BU_  "SystemNodeLongSymbol" STRING ;
BA_DEF_ BO_  "SystemMessageLongSymbol" STRING ;
BA_DEF_ SG_  "SystemSignalLongSymbol" STRING ;
BA_DEF_DEF_  "SystemNodeLongSymbol" "";
BA_DEF_DEF_  "SystemMessageLongSymbol" "";
BA_DEF_DEF_  "SystemSignalLongSymbol" "";
BA_ "SystemNodeLongSymbol" BU_ EngineControlModule_Powertr_0000 "EngineControlModule_Powertrain";
BA_ "SystemMessageLongSymbol" BO_ 256 "EngineCoolantAndOilTemperatures";
BA_ "SystemSignalLongSymbol" SG_ 256 CoolantTemperatureSensorRaw_0000 "CoolantTemperatureSensorRawValue";
BA_ "SystemSignalLongSymbol" SG_ 256 OilTemperatureAfterFilterMea_0000 "OilTemperatureAfterFilterMeasured";
BA_ "SystemSignalLongSymbol" SG_ 256 Page "MultiplexorPage";
VAL_ 256 Status 0 "Off" 1 "On" ;
`;

describe('long names (System*LongSymbol)', () => {
  it('names messages, signals, nodes and multiplexors by their long names, the statements that use the written names still applied', () => {
    const { database, problems } = parseDbc(DBC, { file: 'long.dbc' });
    expect(problems).toEqual([]);
    const [m] = database.messages;
    expect(m!.name).toBe('EngineCoolantAndOilTemperatures');
    expect(m!.senders).toEqual(['EngineControlModule_Powertrain']);
    expect(database.nodes.map((n) => n.name)).toEqual(['EngineControlModule_Powertrain', 'Gateway']);
    expect(m!.signals.map((s) => s.name)).toEqual(['CoolantTemperatureSensorRawValue', 'MultiplexorPage', 'OilTemperatureAfterFilterMeasured', 'Status']);
    expect(m!.signals[0]!.comment).toBe('Coolant at the engine outlet');
    expect(m!.signals[2]!.multiplexer).toEqual({ signal: 'MultiplexorPage', ranges: [{ min: 1, max: 1 }] });
    expect(m!.signals[3]!.values?.get(1)).toBe('On');
    // Coolant 0x64 = 100 - 40 = 60; page 1 selects oil 0x5A = 90 - 40 = 50; status 1.
    const decoded = createCanDecoder(database).decode({ id: 256, extended: false, data: Uint8Array.of(0x64, 1, 0x5a, 1, 0, 0, 0, 0) });
    expect(decoded!.signals.map((s) => [s.name, s.value])).toEqual([
      ['CoolantTemperatureSensorRawValue', 60],
      ['MultiplexorPage', 1],
      ['OilTemperatureAfterFilterMeasured', 50],
      ['Status', 1],
    ]);
  });

  it('gives the long names to metrics and mapping patterns', () => {
    const { database, problems } = parseDbc(DBC, { file: 'long.dbc' });
    const section = canConfigSchema.parse({ interface: 'file:x.log', dbc: 'long.dbc', signals: ['EngineCoolantAndOilTemperatures.Oil*'] });
    const resolved = resolveCanConfig(section);
    if (!resolved.ok) throw new Error('invalid section');
    const { plan, issues } = planCan(database, resolved.config, problems);
    expect(issues).toEqual([]);
    expect([...plan.messages.values()].flatMap((m) => m.signals.map((s) => s.names?.metric))).toEqual(['EngineCoolantAndOilTemperatures.OilTemperatureAfterFilterMeasured']);
  });

  it('keeps the written name of a signal whose long name another signal has, and says so', () => {
    const clash = DBC.replace('"OilTemperatureAfterFilterMeasured"', '"Status"');
    const { database, problems } = parseDbc(clash, { file: 'long.dbc' });
    expect(database.messages[0]!.signals.map((s) => s.name)).toEqual(['CoolantTemperatureSensorRawValue', 'MultiplexorPage', 'OilTemperatureAfterFilterMea_0000', 'Status']);
    expect(problems.map(formatDbcProblem)).toEqual([
      "long.dbc:12:2: signal OilTemperatureAfterFilterMea_0000 of EngineCoolantAndOilTemperat_0000: its long name Status (SystemSignalLongSymbol) is another signal's name; it is read as OilTemperatureAfterFilterMea_0000",
    ]);
  });
});
