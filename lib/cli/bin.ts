#!/usr/bin/env node
/**
 * The `chameleon-hooks` executable (`npx chameleon-hooks <command>`).
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2));
