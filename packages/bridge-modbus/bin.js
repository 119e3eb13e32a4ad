#!/usr/bin/env node
// Before the command's modules load (most of a start): a SIGHUP then must not end the process.
import { holdHangups } from '@fieldbridge/core/hangups';
holdHangups();
const { main } = await import('./dist/cli.js');
process.exitCode = await main(process.argv.slice(2));
