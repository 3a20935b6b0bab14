/**
 * Builds links and cameras from the `cameras` config. Cameras on one serial
 * port share one link (the daisy chain); each IP camera has its own.
 */
import { Camera } from './camera.js';
import type { PtzCameraConfig, PtzConfig, PtzTransportConfig } from './config.js';
import { ViscaIpLink } from './ip-link.js';
import type { LinkTimeouts, ViscaLink } from './link.js';
import { createSerialLink } from './serial-link.js';
import { createTcpLink } from './tcp-link.js';

/** Makes the link for a transport; tests pass their own. */
export type LinkFactory = (transport: PtzTransportConfig, timeouts: LinkTimeouts) => ViscaLink;

export const defaultLinkFactory: LinkFactory = (transport, timeouts) => {
  switch (transport.type) {
    case 'serial':
      return createSerialLink(transport.path, { ...timeouts, baudRate: transport.baud });
    case 'visca-ip':
      return new ViscaIpLink(transport.host, transport.port, timeouts);
    case 'tcp':
      return createTcpLink(transport.host, transport.port, timeouts);
  }
};

/** One link per serial port or per IP endpoint. */
export function linkKey(transport: PtzTransportConfig): string {
  return transport.type === 'serial' ? `serial:${transport.path}` : `${transport.type}:${transport.host}:${transport.port}`;
}

export interface CameraRig {
  cameras: Map<string, { camera: Camera; config: PtzCameraConfig }>;
  links: Map<string, ViscaLink>;
}

export function buildRig(config: PtzConfig, factory: LinkFactory = defaultLinkFactory): CameraRig {
  const links = new Map<string, ViscaLink>();
  const cameras = new Map<string, { camera: Camera; config: PtzCameraConfig }>();
  for (const cam of config) {
    const key = linkKey(cam.transport);
    let link = links.get(key);
    if (!link) {
      const timeouts: LinkTimeouts = {};
      if (cam.ackTimeoutMs !== undefined) timeouts.ackTimeoutMs = cam.ackTimeoutMs;
      if (cam.completionTimeoutMs !== undefined) timeouts.completionTimeoutMs = cam.completionTimeoutMs;
      link = factory(cam.transport, timeouts);
      links.set(key, link);
    }
    const address = cam.transport.type === 'serial' ? cam.transport.address : 1;
    const options = cam.maxPreset !== undefined ? { address, maxPreset: cam.maxPreset } : { address };
    cameras.set(cam.name, { camera: new Camera(cam.name, link, options), config: cam });
  }
  return { cameras, links };
}
