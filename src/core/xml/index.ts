export {
  buildDirectJobRequest,
  buildPortalJobRequest,
  buildDirectManifest,
  buildPortalManifest,
  buildDirectSignerUpdateRequest,
} from "./requests";
export {
  parseDirectJobResponse,
  parseDirectSignerResponse,
  parseDirectJobStatus,
  parsePortalJobResponse,
  parsePortalJobStatus,
  parseErrorResponse,
  UnexpectedResponseError,
  type ErrorBody,
} from "./responses";
export { SIGNERING_NAMESPACE, escapeXml } from "./writer";
