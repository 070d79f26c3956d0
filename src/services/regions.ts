import type { Config, RegionConfig } from '../config/config.js';

/** The public URL of a region, or of this node's own when the name is not configured (a stale mapping). */
export function regionUrl(config: Config, name: string): string {
  return config.regions.find((r) => r.name === name)?.url ?? config.url;
}

export function findRegion(config: Config, name: string): RegionConfig | undefined {
  return config.regions.find((r) => r.name === name);
}
