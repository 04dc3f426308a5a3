import { InvalidArgumentError } from 'commander';

/** A commander argument parser for whole numbers >= min, with a message naming the flag. */
export function positiveInt(flag: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new InvalidArgumentError(`${flag} must be a whole number >= ${min}`);
    return n;
  };
}
