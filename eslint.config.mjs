import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Relative imports of a layer's folder from a sibling folder of src/ (`../views`, `../views/callsTree`, ...).
const COMMANDS = /^\.\.\/commands(\/|$)/;
const UI_LAYERS = /^\.\.\/(views|commands)(\/|$)/;
const UPPER_LAYERS = /^\.\.\/(services|views|commands)(\/|$)|(^|\/)src\/(services|views|commands)(\/|$)/;

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', '.vscode-test/', 'test-results/', '.cache/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      curly: ['error', 'multi-line'],
      eqeqeq: ['error', 'smart'],
    },
  },
  // Layers (docs/architecture.md): commands -> views -> services -> pure layers. Imports run downward only.
  {
    // The pure layers run under plain Node and in tests without an editor.
    files: ['src/plivo/**', 'src/sandbox/**', 'src/callbacks/**', 'src/common/**', 'src/accounts/**', 'test/unit/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'This layer must not depend on VS Code.' }],
          patterns: [{ regex: UPPER_LAYERS.source, message: 'A pure layer must not import editor code.' }],
        },
      ],
    },
  },
  {
    files: ['src/services/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: UI_LAYERS.source, message: 'Services hold no UI: they must not import views or commands.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/views/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [{ regex: COMMANDS.source, message: 'Views must not import commands; pass what they need down.' }],
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
        fetch: 'readonly',
      },
    },
  },
);
