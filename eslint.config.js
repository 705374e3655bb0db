// ESLint (flat config) for the explorer's JavaScript: ES modules in the browser, served as they are.
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    files: ["src/kg/web/static/js/**/*.js"],
    languageOptions: {
      ecmaVersion: 2024,
      sourceType: "module",
      globals: {
        ...globals.browser,
        // The vendored UMD builds the pages load with <script> (see templates/*.html).
        cytoscape: "readonly",
        cytoscapeFcose: "readonly",
        Chart: "readonly",
        Yasgui: "readonly",
      },
    },
    rules: {
      "no-unused-vars": ["error", { args: "after-used", argsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
];
