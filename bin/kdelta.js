#!/usr/bin/env node
import { main, processIo } from '../dist/cli.js';
const io = processIo();
process.exitCode = await main(io);
// Interrupted: what the run started is stopped and its reports are written; work the interrupt
// made moot (a folder of scenarios still loading in the background) must not keep kdelta alive.
if (io.signal.aborted) process.exit(process.exitCode);
