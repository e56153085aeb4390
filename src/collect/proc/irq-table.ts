export type { IrqTable } from '../../run/types.js';
