import js from "@eslint/js";
import { createNodeResolver, importX } from "eslint-plugin-import-x";
import tseslint from "typescript-eslint";

/** Layers: what each part of the package may import (see the README's "Layers" paragraph). */
const layerRules = [
  {
    // The core client is the bottom layer: it knows nothing of the emulator, the CLI or Node-RED.
    files: ["src/core/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "(^|/)(emulator|cli|nodes)(/|$)", message: "src/core imports nothing from src/emulator, src/cli or nodes/." },
          ],
        },
      ],
    },
  },
  {
    // The emulator is a stand-in for the service, not a user of the client: it shares only the
    // data model, identifiers, errors, certificate reading and the XML writer.
    files: ["src/emulator/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^\\.\\./core(/(?!(errors|identifiers|model|keys|xml/writer)$).*)?$",
              message: "src/emulator may import from src/core only errors, identifiers, model, keys and xml/writer.",
            },
            { regex: "(^|/)(cli|nodes)(/|$)", message: "src/emulator imports nothing from src/cli or nodes/." },
          ],
        },
      ],
    },
  },
  {
    // The nodes use the public surface only, as an integrator's code would.
    files: ["nodes/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { regex: "(^|/)src/core/.+", message: "nodes/ import the core only through its index (../src/core)." },
            { regex: "(^|/)src/emulator/.+", message: "nodes/ import the emulator only through its index (../src/emulator)." },
          ],
        },
      ],
    },
  },
];

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "test-artifacts/", "nodes/**/*.html"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // Node-RED's idiom: the node's constructor keeps `this` as `node` for its callbacks.
      "@typescript-eslint/no-this-alias": ["error", { allowedNames: ["node"] }],
      "no-console": "off",
    },
  },
  {
    // Import cycles make load order matter and layers blur; type-only imports are not counted.
    files: ["**/*.ts"],
    plugins: { "import-x": importX },
    settings: {
      "import-x/extensions": [".ts", ".js"],
      "import-x/parsers": { "@typescript-eslint/parser": [".ts"] },
      "import-x/resolver-next": [createNodeResolver({ extensions: [".ts", ".js", ".json"] })],
    },
    rules: { "import-x/no-cycle": ["error", { ignoreExternal: true }] },
  },
  ...layerRules,
  {
    // Node modules are loaded by path, as Node-RED loads them.
    files: ["test/nodes/**/*.ts"],
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["scripts/**/*.js", "deploy/**/*.js"],
    languageOptions: {
      sourceType: "commonjs",
      globals: { require: "readonly", module: "writable", __dirname: "readonly", process: "readonly" },
    },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
);
