/**
 * The catalogue type of a clean value.
 */
import type { CleanValue, PropertyType } from './types.js';

/**
 * The type of a clean value, as recorded in the property catalogue.
 *
 * @example
 * propertyType('a')        // 'string'
 * propertyType(new Date()) // 'date'
 * propertyType([1, 2])     // 'array'
 * propertyType({ a: 1 })   // 'object'
 */
export function propertyType(value: CleanValue): PropertyType {
  switch (typeof value) {
    case 'string':
      return 'string';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    default:
      if (value instanceof Date) return 'date';
      return Array.isArray(value) ? 'array' : 'object';
  }
}
