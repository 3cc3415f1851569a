/**
 * Resolution of the `charts` and `images` sections: each chart's mirror, and the registries images come from.
 */
import type { ChartMirrorConfig, ChartsConfig, ImagesConfig } from "../../model/config";
import type { Problems } from "../../model/problems";
import { CHART_KEYS, chartImages } from "../versions";
import type { ChartsInput, ImagesInput } from "./schema";

/** The registries the pinned charts' images come from. */
export const UPSTREAM_IMAGE_REGISTRIES = [
  ...new Set(Object.values(chartImages).map((c) => c.registry)),
].sort();

export function resolveCharts(input: ChartsInput | undefined, problems: Problems): ChartsConfig {
  const mirrors: Record<string, ChartMirrorConfig> = {};
  for (const key of CHART_KEYS) {
    const mirror = input?.[key] ?? input?.mirror;
    if (mirror) {
      mirrors[key] = mirror;
    }
  }
  for (const key of ["mirror", ...CHART_KEYS] as const) {
    const m = input?.[key];
    if (m && (m.username === undefined) !== (m.password === undefined)) {
      problems.add(
        `charts.${key}.${m.username === undefined ? "username" : "password"}`,
        "set together with the other: Helm logs in with both or neither",
      );
    }
  }
  const nginxIngressLocalSchema = input?.nginxIngressLocalSchema ?? false;
  if (nginxIngressLocalSchema && !mirrors.nginxIngress) {
    problems.add(
      "charts.nginxIngressLocalSchema",
      "set only with a mirror of nginx-ingress (charts.mirror or charts.nginxIngress): the upstream chart's schema refers to remote definitions",
      true,
    );
  }
  return { mirrors, nginxIngressLocalSchema };
}

export function resolveImages(input: ImagesInput | undefined, problems: Problems): ImagesConfig {
  for (const host of Object.keys(input?.registries ?? {})) {
    if (!UPSTREAM_IMAGE_REGISTRIES.includes(host)) {
      problems.add(
        `images.registries.${host}`,
        `one of the registries the charts' images come from (${UPSTREAM_IMAGE_REGISTRIES.join(", ")})`,
      );
    }
  }
  return {
    registry: input?.registry,
    registries: { ...input?.registries },
    pullSecrets: [...(input?.pullSecrets ?? [])],
  };
}
