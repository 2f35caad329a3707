// The suite's small statistics are the core's (plugins/artillery-plugin-hmp/core/stats.ts).
export * from '../plugins/artillery-plugin-hmp/core/stats.ts';
