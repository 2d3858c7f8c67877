/**
 * A time-series chart for the console, on TradingView's lightweight-charts: the key usage view draws stacked
 * request counts with it, and the market page can draw candles with the same wrapper. `useTimeChart` owns the
 * chart's life (created on mount, sized to its box, removed on unmount) and gives it the console's look: colours
 * from the CSS custom properties of styles.css, times on the axis and in the crosshair label in the browser's
 * time zone and the console's language (the library itself would show UTC). Series, data and tooltips are the
 * caller's: `chart` is null until the chart exists.
 *
 * Canvas is not text: a chart is never the only way to read its data. Callers pair it with a labelled figure and
 * a table (the usage view's "Show as table"). Every chart shows `ChartAttribution` (the library's licence asks
 * for a link to TradingView when its own logo is off).
 */
import { useEffect, useState, type ReactNode, type RefObject } from 'react';

import {
  ColorType,
  createChart,
  CrosshairMode,
  TickMarkType,
  type IChartApi,
  type Time,
  type UTCTimestamp,
} from 'lightweight-charts';

export type { IChartApi, UTCTimestamp };

/** Milliseconds since the epoch as the library's time (seconds). */
export function toChartTime(ms: number): UTCTimestamp {
  return Math.floor(ms / 1000) as UTCTimestamp;
}

/** The library's time back to milliseconds (only UTC timestamps are used here). */
export function fromChartTime(time: Time): number {
  return typeof time === 'number' ? time * 1000 : Date.parse(typeof time === 'string' ? time : '') || 0;
}

function cssColor(name: string, fallback: string): string {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

/** Axis labels in the browser's zone: times within a day, then the day, month and year as the span grows. */
function tickFormatter(locale: string): (time: Time, type: TickMarkType) => string {
  const formats: Record<TickMarkType, Intl.DateTimeFormat> = {
    [TickMarkType.Year]: new Intl.DateTimeFormat(locale, { year: 'numeric' }),
    [TickMarkType.Month]: new Intl.DateTimeFormat(locale, { month: 'short' }),
    [TickMarkType.DayOfMonth]: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short' }),
    [TickMarkType.Time]: new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit' }),
    [TickMarkType.TimeWithSeconds]: new Intl.DateTimeFormat(locale, {
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }),
  };
  return (time, type) => formats[type].format(new Date(fromChartTime(time)));
}

export interface TimeChartOptions {
  /** The Intl locale for times and numbers (`en-GB`, `ru-RU`). */
  locale: string;
  height: number;
  /** Whether people may pan and zoom (a small chart in a dialog: no). */
  interactive?: boolean;
}

export function useTimeChart(
  container: RefObject<HTMLElement | null>,
  options: TimeChartOptions,
): IChartApi | null {
  const [chart, setChart] = useState<IChartApi | null>(null);
  const { locale, height, interactive = false } = options;

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const numbers = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    const crosshairTime = new Intl.DateTimeFormat(locale, {
      day: 'numeric',
      month: 'short',
      hour: '2-digit',
      minute: '2-digit',
    });
    const text = cssColor('--text-muted', '#a3a5b3');
    const line = cssColor('--border', '#2a2b35');
    const instance = createChart(element, {
      autoSize: true,
      height,
      layout: {
        background: { type: ColorType.Solid, color: 'transparent' },
        textColor: text,
        fontFamily: getComputedStyle(document.body).fontFamily,
        fontSize: 12,
        // The library's logo injects a <style> element, which the console's CSP refuses; callers show the
        // attribution its licence asks for as a plain link instead (ChartAttribution below).
        attributionLogo: false,
      },
      grid: { vertLines: { visible: false }, horzLines: { color: line } },
      rightPriceScale: { borderColor: line },
      timeScale: {
        borderColor: line,
        timeVisible: true,
        secondsVisible: false,
        tickMarkFormatter: tickFormatter(locale),
        fixLeftEdge: true,
        fixRightEdge: true,
      },
      localization: {
        locale,
        timeFormatter: (time: Time) => crosshairTime.format(new Date(fromChartTime(time))),
        priceFormatter: (value: number) => numbers.format(value),
      },
      crosshair: {
        mode: CrosshairMode.Normal,
        vertLine: { labelBackgroundColor: cssColor('--bg-hover', '#24252e') },
        // A count chart reads by bar (the tooltip); a free horizontal line and its label would only add noise.
        horzLine: { visible: false, labelVisible: false },
      },
      handleScroll: interactive,
      handleScale: interactive,
    });
    setChart(instance);
    return () => {
      setChart(null);
      // After the callers' own cleanups (they remove their series from it): React runs this hook's cleanup
      // before the effects declared after it, and a removed chart throws on removeSeries.
      queueMicrotask(() => instance.remove());
    };
  }, [container, locale, height, interactive]);

  return chart;
}

/** The attribution lightweight-charts' licence (NOTICE) asks for, as a link in the console's own style. */
export function ChartAttribution(): ReactNode {
  return (
    <a
      className="chart-attribution"
      href="https://www.tradingview.com/"
      target="_blank"
      rel="noopener noreferrer"
    >
      TradingView Lightweight Charts™ © TradingView, Inc.
    </a>
  );
}
