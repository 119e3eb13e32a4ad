// The bench's Modbus device: a mapping of mixed types over 1,000 registers and a modbus-serial
// ServerTCP on loopback that answers it and counts the reads.
import { encodeRegisters } from '@fieldbridge/bridge-modbus';
import ModbusRTU from 'modbus-serial';
import { seededRandom } from '@fieldbridge/core';

// A fixed seed, so every run polls the same map.
const prng = seededRandom;

const pick = (rnd, weighted) => {
  let r = rnd() * weighted.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, w] of weighted) if ((r -= w) < 0) return value;
  return weighted[0][0];
};

const TYPE_MIX = [['float32', 30], ['int16', 14], ['uint16', 14], ['int32', 8], ['uint32', 8], ['float64', 6], ['int64', 3], ['uint64', 3], ['string', 3], ['bit', 2]];
const ORDER_MIX = [['ABCD', 45], ['CDAB', 35], ['DCBA', 12], ['BADC', 8]];

function sampleValue(rnd, type) {
  switch (type) {
    case 'int16': return Math.round((rnd() - 0.5) * 60000);
    case 'uint16': return Math.floor(rnd() * 65536);
    case 'int32': return Math.round((rnd() - 0.5) * 4e9);
    case 'uint32': return Math.floor(rnd() * 4e9);
    case 'float32': return (rnd() - 0.2) * 2000;
    case 'float64': return rnd() * 1e7;
    case 'int64': return BigInt(Math.round((rnd() - 0.5) * 2 ** 50));
    case 'uint64': return BigInt(Math.floor(rnd() * 2 ** 52));
    default: return `SN-${Math.floor(rnd() * 1e8)}`;
  }
}

/**
 * Points covering `registersPerTable[table]` registers of each table: blocks of 20-90 registers (one per
 * module of a PLC) that start past the planner's max_gap, so each is its own read, with gaps of
 * 1-4 unmapped registers inside about one point in five and status words read as 3-8 bits.
 * Returns the mapping's points and the register image the server answers with.
 */
export function buildMap(registersPerTable) {
  const rnd = prng(0xf1e1d);
  const points = [];
  const images = {};
  for (const [table, total] of Object.entries(registersPerTable)) {
    const image = new Uint16Array(65536);
    let mapped = 0;
    let address = 0;
    while (mapped < total) {
      const blockEnd = address + 20 + Math.floor(rnd() * 70);
      while (mapped < total && address < blockEnd) {
        if (rnd() < 0.2) address += 1 + Math.floor(rnd() * 4);
        let type = pick(rnd, TYPE_MIX);
        const byteOrder = pick(rnd, ORDER_MIX);
        const length = type === 'string' ? 4 + Math.floor(rnd() * 5) : undefined;
        let width = type === 'string' ? length : { int16: 1, uint16: 1, bit: 1, int32: 2, uint32: 2, float32: 2 }[type] ?? 4;
        if (width > total - mapped) [type, width] = ['uint16', 1];
        const metric = `plc.${table}.${address}`;
        if (type === 'bit') {
          const word = Math.floor(rnd() * 65536);
          image[address] = word;
          const bits = [...Array(16).keys()].sort(() => rnd() - 0.5).slice(0, 3 + Math.floor(rnd() * 6));
          for (const bit of bits) points.push({ metric: `${metric}.b${bit}`, table, address, type, bit });
        } else {
          const value = sampleValue(rnd, type);
          encodeRegisters(type, value, byteOrder, length).forEach((w, i) => (image[address + i] = w));
          const scale = type === 'int16' && rnd() < 0.5 ? 0.1 : undefined;
          points.push({ metric, table, address, type, byte_order: byteOrder, ...(length ? { length } : {}), ...(scale ? { scale } : {}) });
        }
        address += width;
        mapped += width;
      }
      address += 20 + Math.floor(rnd() * 80);
    }
    images[table] = image;
  }
  return { points, images };
}

/** A ServerTCP on a free loopback port answering from `images`, counting register reads. */
export async function startServer(images) {
  const seen = { requests: 0, registers: 0 };
  const read = (table) => (address, count) => {
    seen.requests += 1;
    seen.registers += count;
    return Array.from(images[table].subarray(address, address + count));
  };
  const vector = {
    getMultipleHoldingRegisters: read('holding'),
    getMultipleInputRegisters: read('input'),
    getHoldingRegister: (address) => read('holding')(address, 1)[0],
    getInputRegister: (address) => read('input')(address, 1)[0],
    getCoil: () => false,
    getDiscreteInput: () => false,
  };
  // ServerTCP turns a numeric 0 into 502; the string '0' reaches net.Server as "any free port".
  const server = new ModbusRTU.ServerTCP(vector, { host: '127.0.0.1', port: '0', unitID: 255 });
  await new Promise((resolve, reject) => {
    server.once('initialized', resolve);
    server.once('serverError', reject);
  });
  // ServerTCP has no address(); its net.Server is the only place the bound port is known.
  const { port } = server._server.address();
  return { url: `tcp://127.0.0.1:${port}`, seen, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

