import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Lexer, type Token, type Tokens } from 'marked';
import { repoRoot } from './shared.js';

export const README = join(repoRoot, 'README.md');

function walk(tokens: Token[], visit: (token: Token) => void): void {
  for (const token of tokens) {
    visit(token);
    const children = (token as { tokens?: Token[] }).tokens;
    if (children) walk(children, visit);
    if (token.type === 'list') for (const item of (token as Tokens.List).items) walk(item.tokens, visit);
    if (token.type === 'table') {
      const table = token as Tokens.Table;
      for (const cell of [...table.header, ...table.rows.flat()]) walk(cell.tokens, visit);
    }
  }
}

const tokens = (): Token[] => Lexer.lex(readFileSync(README, 'utf8'));

/** The README's fenced code blocks in one language (`bash`, `yaml`, ...), in order. */
export function readmeCodeBlocks(lang: string): string[] {
  const blocks: string[] = [];
  walk(tokens(), (token) => {
    if (token.type === 'code' && (token as Tokens.Code).lang === lang) blocks.push((token as Tokens.Code).text);
  });
  return blocks;
}

/**
 * Every command the README shows: each non-empty line of its ```bash blocks (comment lines aside), and each inline
 * code span in its prose that starts with `fer-edge `.
 */
export function readmeCommands(): string[] {
  const commands: string[] = [];
  walk(tokens(), (token) => {
    if (token.type === 'code' && (token as Tokens.Code).lang === 'bash') {
      for (const line of (token as Tokens.Code).text.split('\n')) if (line.trim() && !line.trim().startsWith('#')) commands.push(line);
    }
    if (token.type === 'codespan' && (token as Tokens.Codespan).text.startsWith('fer-edge ')) commands.push((token as Tokens.Codespan).text);
  });
  return commands;
}
