/**
 * Image references of the charts under an image mirror. Pure. Each chart's values builder asks here for the
 * registry to write into its own image keys (checked against the chart at its pinned version:
 * tests/fixtures/chart-images.json).
 */
import type { ImagesConfig } from "../../model/config";
import { chartImages, type ChartKey } from "../versions";

/** The registry that serves a chart's images, or undefined when they come from upstream. */
export function imageRegistry(images: ImagesConfig | undefined, key: ChartKey): string | undefined {
  return images?.registries[chartImages[key].registry] ?? images?.registry;
}

/**
 * A chart's image repository under the mirror (`<registry>/<upstream path>`), or undefined when the chart's own
 * default stays. `index` picks one of the chart's images (components/versions.ts `chartImages`).
 */
export function mirroredRepository(
  images: ImagesConfig | undefined,
  key: ChartKey,
  index = 0,
): string | undefined {
  const registry = imageRegistry(images, key);
  return registry === undefined ? undefined : `${registry}/${chartImages[key].paths[index]}`;
}

/** `imagePullSecrets` as most charts take them (a list of references), or undefined when none are set. */
export function pullSecretRefs(images: ImagesConfig | undefined): { name: string }[] | undefined {
  return images && images.pullSecrets.length > 0 ? images.pullSecrets.map((name) => ({ name })) : undefined;
}
