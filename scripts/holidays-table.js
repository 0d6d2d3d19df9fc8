#!/usr/bin/env node
/**
 * `npm run holidays:table`: writes src/pqr/holidays-co.json, Colombia's national holidays by year
 * from the pinned date-holidays (the same filter as src/pqr/calendar.ts), so a start reads a
 * small table instead of loading the library (≈6 MiB of heap). Years outside the table still ask
 * the library. test/unit/holidays-table.test.ts fails when the table and the library disagree
 * (after upgrading date-holidays: run this again).
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Holidays = require('date-holidays');

const FIRST = 2015;
const LAST = 2045;
const library = new Holidays('CO');
const years = {};
for (let year = FIRST; year <= LAST; year++) {
  years[year] = library
    .getHolidays(year)
    .filter((h) => h.type === 'public')
    .map((h) => ({ date: h.date.slice(0, 10), name: h.name }));
}
const version = require('date-holidays/package.json').version;
const file = path.resolve(__dirname, '..', 'src', 'pqr', 'holidays-co.json');
fs.writeFileSync(file, `${JSON.stringify({ library: `date-holidays ${version}`, years }, null, 1)}\n`);
console.log(`${path.relative(process.cwd(), file)}: ${FIRST}–${LAST} from date-holidays ${version}`);
