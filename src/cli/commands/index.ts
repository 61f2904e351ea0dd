/**
 * Every subcommand of `frcnn`, in the order `--help` lists them. To add one: create
 * `./<name>.ts` exporting `register(program: Command): void`, then add it here.
 */
import type { Command } from 'commander';

export type RegisterCommand = (program: Command) => void;

export const COMMANDS: RegisterCommand[] = [];
