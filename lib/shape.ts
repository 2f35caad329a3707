// Load shapes in concurrent users: the suite's plugin owns them.
export * from '../plugins/artillery-plugin-hmp/shape.ts';
