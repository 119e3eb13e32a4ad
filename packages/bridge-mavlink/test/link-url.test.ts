import { describe, expect, it } from 'vitest';
import { formatLinkUrl, isMavlinkBridgeError, openLink, parseLinkUrl } from '../src/index.js';

describe('connection URLs', () => {
  it.each([
    ['udpin://0.0.0.0:14550', { kind: 'udpin', host: '0.0.0.0', port: 14550 }],
    ['udpin://:14551', { kind: 'udpin', host: '0.0.0.0', port: 14551 }],
    ['udpin://127.0.0.1:0', { kind: 'udpin', host: '127.0.0.1', port: 0 }],
    ['udpin://[::1]:14550', { kind: 'udpin', host: '::1', port: 14550 }],
    ['udpout://192.168.4.1', { kind: 'udpout', host: '192.168.4.1', port: 14550 }],
    ['udpout://vehicle.local:14555', { kind: 'udpout', host: 'vehicle.local', port: 14555 }],
    ['tcp://localhost', { kind: 'tcp', host: 'localhost', port: 5760 }],
    ['TCP://10.0.0.2:5762', { kind: 'tcp', host: '10.0.0.2', port: 5762 }],
    ['tcpin://0.0.0.0:5760', { kind: 'tcpin', host: '0.0.0.0', port: 5760 }],
    ['tcpin://:5763', { kind: 'tcpin', host: '0.0.0.0', port: 5763 }],
    ['tcpin://127.0.0.1', { kind: 'tcpin', host: '127.0.0.1', port: 5760 }],
    ['tcpin://127.0.0.1:0', { kind: 'tcpin', host: '127.0.0.1', port: 0 }],
    ['tcpin://[::]:5760', { kind: 'tcpin', host: '::', port: 5760 }],
    ['serial:///dev/ttyACM0', { kind: 'serial', path: '/dev/ttyACM0', baudRate: 57600 }],
    ['serial:///dev/serial/by-id/usb-Hex_ProfiCNC_CubeOrange-if00?baud=115200', { kind: 'serial', path: '/dev/serial/by-id/usb-Hex_ProfiCNC_CubeOrange-if00', baudRate: 115200 }],
    ['serial://COM3?baud=921600', { kind: 'serial', path: 'COM3', baudRate: 921600 }],
    // ArduPilot's SERIALx_BAUD 111 and 256.
    ['serial:///dev/ttyS1?baud=111100', { kind: 'serial', path: '/dev/ttyS1', baudRate: 111100 }],
    ['serial:///dev/ttyS1?baud=256000', { kind: 'serial', path: '/dev/ttyS1', baudRate: 256000 }],
    // A device name that ends in a number that is no baud rate is a name.
    ['serial:///dev/serial/by-path/platform-xhci-usb-0:1', { kind: 'serial', path: '/dev/serial/by-path/platform-xhci-usb-0:1', baudRate: 57600 }],
    ['tlog:///data/flight.tlog', { kind: 'tlog', path: '/data/flight.tlog', pace: 'fast', speed: 1 }],
    ['tlog://./logs/2026-06-01.tlog?pace=recorded&speed=4', { kind: 'tlog', path: './logs/2026-06-01.tlog', pace: 'recorded', speed: 4 }],
  ])('%s', (url, spec) => {
    expect(parseLinkUrl(url)).toEqual({ ok: true, spec });
  });

  it.each([
    ['udp://0.0.0.0:14550', /unsupported connection .* use udpin:\/\/0\.0\.0\.0:14550, udpout:\/\/host:14550, tcp:\/\/host:5760, tcpin:\/\/0\.0\.0\.0:5760, serial:/],
    // MAVProxy's and pymavlink's spelling, without "//".
    ['tcpin:0.0.0.0:5760', /"tcpin:0\.0\.0\.0:5760" is MAVProxy's spelling: write tcpin:\/\/0\.0\.0\.0:5760/],
    ['udpin:0.0.0.0:14550', /write udpin:\/\/0\.0\.0\.0:14550/],
    ['tcpin://0.0.0.0:5760/x', /has a path; expected tcpin:\/\/host:port/],
    ['udpout://:14550', /not a valid URL|names no host/],
    ['tcp://host:0', /invalid port/],
    ['tcp://host:70000', /not a valid URL/],
    ['tcp://host/path', /has a path/],
    ['udpin://0.0.0.0:14550?x=1', /parts a udpin connection does not use/],
    ['serial://', /needs a device path/],
    ['serial:///dev/ttyUSB0?baud=fast', /not a baud rate/],
    ['serial:///dev/ttyUSB0?parity=even', /unknown serial setting "parity"/],
    // A rate no radio or autopilot uses opens the port all the same, and reads only garbage.
    ['serial:///dev/ttyUSB0?baud=57000', /baud 57000 is not a serial rate: did you mean 57600\? a SiK or RFD telemetry radio/],
    ['serial:///dev/ttyUSB0?baud=5760', /baud 5760 is not a serial rate: did you mean 57600\?/],
    ['serial:///dev/ttyUSB0?baud=1152000', /did you mean 115200\?/],
    ['serial:///dev/ttyUSB0?baud=12345', /baud 12345 is not a serial rate: a SiK/],
    // MAVSDK's and MAVProxy's forms put the baud rate after the path: taken as a path, the port never opens.
    ['serial:///dev/ttyUSB0:57600', /"\/dev\/ttyUSB0:57600" is a device and a baud rate written together: write serial:\/\/\/dev\/ttyUSB0\?baud=57600/],
    ['serial://COM4,115200', /write serial:\/\/COM4\?baud=115200/],
    // MAVProxy's --master takes a bare device path, with its rate after a comma or a colon.
    ['/dev/ttyUSB0,57600', /"\/dev\/ttyUSB0,57600" is a serial device and a baud rate as MAVProxy writes them: write serial:\/\/\/dev\/ttyUSB0\?baud=57600$/],
    ['/dev/ttyUSB0:921600', /write serial:\/\/\/dev\/ttyUSB0\?baud=921600$/],
    ['COM4,115200', /write serial:\/\/COM4\?baud=115200$/],
    ['/dev/ttyACM0', /"\/dev\/ttyACM0" is a serial device: write serial:\/\/\/dev\/ttyACM0\?baud=57600 \(or the rate/],
    ['tlog://', /needs a file path/],
    ['tlog:///f.tlog?pace=slow', /pace "slow" must be fast or recorded/],
    ['tlog:///f.tlog?speed=2', /speed applies to pace=recorded only/],
    ['tlog:///f.tlog?pace=recorded&speed=0', /speed "0"/],
  ])('refuses %s', (url, message) => {
    const parsed = parseLinkUrl(url);
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message).toMatch(message);
  });

  it('formats specs back with every default spelled out', () => {
    const round = (url: string): string => {
      const p = parseLinkUrl(url);
      if (!p.ok) throw new Error(p.message);
      return formatLinkUrl(p.spec);
    };
    expect(round('udpin://:14550')).toBe('udpin://0.0.0.0:14550');
    expect(round('udpin://[::]:14550')).toBe('udpin://[::]:14550');
    expect(round('tcp://sitl')).toBe('tcp://sitl:5760');
    expect(round('tcpin://:5760')).toBe('tcpin://0.0.0.0:5760');
    expect(round('serial:///dev/ttyACM0')).toBe('serial:///dev/ttyACM0?baud=57600');
    expect(round('tlog:///a.tlog')).toBe('tlog:///a.tlog?pace=fast');
  });

  it('refuses an empty port (a ${PORT} left unset) rather than read it as the default', () => {
    for (const [url, port] of [['tcp://10.0.0.5:', 5760], ['udpout://192.168.4.1:', 14550], ['udpin://0.0.0.0:', 14550], ['tcpin://0.0.0.0:', 5760]] as const) {
      expect(parseLinkUrl(url)).toEqual({ ok: false, message: expect.stringContaining(`empty port after ":" (an unset variable?); write the port, or leave out ":" for the default ${port}`) });
    }
  });

  it('openLink refuses a bad URL with a BAD_CONNECTION error', () => {
    let caught: unknown;
    try {
      openLink('mavlink://nowhere');
    } catch (err) {
      caught = err;
    }
    expect(isMavlinkBridgeError(caught, 'BAD_CONNECTION')).toBe(true);
  });
});
