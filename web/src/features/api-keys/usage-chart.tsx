/**
 * A key's requests over the chosen range as stacked bars (components/time-chart.tsx): succeeded at the bottom,
 * each refusal reason in its own colour above it, a time axis and a count scale, and a tooltip with every count
 * of the bar under the pointer. The same numbers are in a table below ("Show as table"), which keyboards and
 * screen readers read; the chart itself is a labelled image.
 *
 * Stacking: lightweight-charts has no stacked histogram, so each layer is a histogram of the running total up
 * to that layer, drawn tallest first; each shorter one then covers the part of the bar below it.
 */
import { HistogramSeries, type ISeriesApi, type MouseEventParams } from 'lightweight-charts';
import { useEffect, useMemo, useRef, type ReactNode } from 'react';

import type { KeyUsage } from '../../api/console-api.ts';
import { ChartAttribution, fromChartTime, toChartTime, useTimeChart } from '../../components/time-chart.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { refusedOf, USAGE_LAYERS } from './usage-layers.ts';

function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

export function UsageChart({ usage }: { usage: KeyUsage }): ReactNode {
  const { t, locale, formatClock, formatNumber } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const tooltip = useRef<HTMLDivElement>(null);
  const chart = useTimeChart(box, { locale, height: 220 });
  const layers = useMemo(() => USAGE_LAYERS.filter(({ field }) => usage.totals[field] > 0), [usage]);
  const multiDay = usage.bucketMs >= 3600_000;

  useEffect(() => {
    if (!chart) return;
    const series: ISeriesApi<'Histogram'>[] = [];
    // Tallest (the full stack) first, so each shorter running total is drawn over it.
    for (let top = layers.length - 1; top >= 0; top--) {
      const below = layers.slice(0, top + 1);
      const s = chart.addSeries(HistogramSeries, {
        color: cssColor((layers[top] as (typeof layers)[number]).color),
        priceLineVisible: false,
        lastValueVisible: false,
        baseLineVisible: false,
        priceFormat: { type: 'custom', minMove: 1, formatter: (value: number) => formatNumber(value) },
      });
      s.setData(
        usage.buckets.map((bucket) => {
          const value = below.reduce((sum, { field }) => sum + bucket[field], 0);
          // An empty bucket is whitespace: a zero-height bar would still draw a 1 px line.
          return value === 0
            ? { time: toChartTime(bucket.start) }
            : { time: toChartTime(bucket.start), value };
        }),
      );
      series.push(s);
    }
    chart.timeScale().fitContent();

    const byTime = new Map(usage.buckets.map((bucket) => [toChartTime(bucket.start), bucket]));
    const onMove = (param: MouseEventParams): void => {
      const tip = tooltip.current;
      const frame = box.current;
      if (!tip || !frame) return;
      const bucket = param.time === undefined ? undefined : byTime.get(param.time as never);
      if (!bucket || !param.point || param.point.x < 0 || param.point.y < 0) {
        tip.hidden = true;
        return;
      }
      const start = fromChartTime(param.time as never);
      const lines = [
        `${formatClock(start, { withDay: multiDay })} – ${formatClock(start + usage.bucketMs)}`,
        ...USAGE_LAYERS.filter(({ field }) => field === 'ok' || bucket[field] > 0).map(
          ({ field, label }) => `${t(label)}: ${formatNumber(bucket[field])}`,
        ),
      ];
      tip.replaceChildren(
        ...lines.map((text, i) => {
          const line = document.createElement(i === 0 ? 'strong' : 'div');
          line.textContent = text;
          return line;
        }),
      );
      tip.hidden = false;
      // Keep it inside the chart: to the left of the pointer on the right half.
      const width = tip.offsetWidth;
      const x =
        param.point.x + 12 + width > frame.clientWidth ? param.point.x - width - 12 : param.point.x + 12;
      tip.style.left = `${Math.max(0, x)}px`;
      tip.style.top = `${Math.max(0, Math.min(param.point.y - 20, frame.clientHeight - tip.offsetHeight))}px`;
    };
    chart.subscribeCrosshairMove(onMove);
    return () => {
      chart.unsubscribeCrosshairMove(onMove);
      for (const s of series) chart.removeSeries(s);
    };
  }, [chart, layers, usage, t, formatClock, formatNumber, multiDay]);

  const refused = refusedOf(usage.totals);
  return (
    <figure className="usage-chart">
      <div
        className="usage-chart-box"
        ref={box}
        role="img"
        aria-label={t(`usage.chartLabel.${usage.range}`, {
          ok: formatNumber(usage.totals.ok),
          refused: formatNumber(refused),
        })}
      >
        <div className="chart-tooltip" ref={tooltip} hidden aria-hidden="true" />
      </div>
      <figcaption className="usage-legend">
        {USAGE_LAYERS.filter(({ field }) => field === 'ok' || usage.totals[field] > 0).map(
          ({ field, label, color }) => (
            <span key={field} className="legend-item">
              <span className={`swatch swatch${color.slice('--chart'.length)}`} aria-hidden="true" />
              {t(label)}: <strong data-testid={`usage-${field}`}>{formatNumber(usage.totals[field])}</strong>
            </span>
          ),
        )}
        <span className="legend-item muted">
          {t('usage.refused')}: <strong data-testid="usage-refused">{formatNumber(refused)}</strong>
        </span>
        <ChartAttribution />
      </figcaption>
    </figure>
  );
}
