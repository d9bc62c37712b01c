// ESLint flat config. The one project-specific rule: app/ml stays pure numeric code, so it
// may not reach for the database, the queues, server-only modules or the environment.
import js from "@eslint/js";
import react from "eslint-plugin-react";
import reactHooks from "eslint-plugin-react-hooks";
import globals from "globals";
import tseslint from "typescript-eslint";

const ML_FORBIDDEN_IMPORTS = {
  patterns: [
    {
      group: ["@prisma/*", "prisma", "pg", "bullmq", "ioredis"],
      message: "app/ml is pure numeric code: no database or queue clients.",
    },
    {
      group: ["**/*.server", "**/*.server.*", "~/*.server", "**/db.server*"],
      message: "app/ml may not import server-only modules.",
    },
  ],
};

export default tseslint.config(
  { ignores: ["build/**", "public/build/**", "node_modules/**", ".data/**", ".cache/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
      "no-console": "off",
    },
  },
  {
    files: ["**/*.tsx"],
    plugins: { react, "react-hooks": reactHooks },
    settings: { react: { version: "detect" } },
    rules: {
      ...react.configs.recommended.rules,
      ...react.configs["jsx-runtime"].rules,
      ...reactHooks.configs.recommended.rules,
      "react/prop-types": "off",
    },
  },
  {
    files: ["scripts/bootstrap.cjs"],
    languageOptions: { sourceType: "commonjs", globals: globals.node },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["app/ml/**"],
    rules: {
      "no-restricted-imports": ["error", ML_FORBIDDEN_IMPORTS],
      "no-restricted-properties": [
        "error",
        {
          object: "process",
          property: "env",
          message: "app/ml takes its inputs as arguments, never from the environment.",
        },
      ],
      "no-restricted-globals": ["error", { name: "process", message: "app/ml may not touch the process." }],
    },
  },
);
