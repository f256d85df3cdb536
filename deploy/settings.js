// Node-RED settings for running flows headless, as in production: no editor and no admin API,
// the flows file from this folder (your repository), and every secret from the environment
// (the configuration node reads SIGNERING_P12_BASE64 and SIGNERING_P12_PASSWORD; see README,
// "Running headless"). Nothing here is secret, so this file belongs in the repository.
const path = require("node:path");

module.exports = {
  // The Docker image passes its own flows file argument (ENV FLOWS), which takes precedence.
  flowFile: path.join(__dirname, "flows.json"),
  // In a container every interface (the port is published by Docker); elsewhere, say which.
  uiHost: process.env.NODE_RED_HOST || "0.0.0.0",
  uiPort: Number(process.env.PORT) || 1880,
  // No editor and no admin API: nobody can read or change the flows over HTTP (GET /flows is a 404).
  httpAdminRoot: false,
  httpNodeRoot: process.env.NODE_RED_HTTP_NODE_ROOT || "/",
  // The flows carry no credentials (no flows_cred.json): nothing to encrypt, so no key is made and stored.
  credentialSecret: false,
  // The keystore comes from the environment only; a flows file that names a keystore file is refused.
  signeringConfigDisableLocalFiles: true,
  functionExternalModules: false,
  externalModules: { autoInstall: false, palette: { allowInstall: false } },
  // No update check or usage data from a server that runs unattended.
  telemetry: { enabled: false },
  logging: { console: { level: process.env.NODE_RED_LOG_LEVEL || "info", metrics: false, audit: false } },
};
