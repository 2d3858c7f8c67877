/**
 * The market page's candles with volume underneath, on lightweight-charts (components/time-chart.tsx gives it the
 * console's look). New candles from the kline stream update the last bar in place. Prices keep the market's tick
 * decimals. The ticker and the trades list beside it carry the same figures as text.
 */
import { CandlestickSeries, HistogramSeries, type ISeriesApi } from 'lightweight-charts';
import { useEffect, useRef, useState, type ReactNode } from 'react';

import { ChartAttribution, toChartTime, useTimeChart } from '../../components/time-chart.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import type { Candle } from './market-feed.ts';

export function CandleChart({ candles, decimals }: { candles: Candle[]; decimals: number }): ReactNode {
  const { locale, t } = useI18n();
  const box = useRef<HTMLDivElement>(null);
  const chart = useTimeChart(box, { locale, height: 300, interactive: true });
  const [series, setSeries] = useState<{
    price: ISeriesApi<'Candlestick'>;
    volume: ISeriesApi<'Histogram'>;
  } | null>(null);

  useEffect(() => {
    if (!chart) return;
    const prices = new Intl.NumberFormat(locale, {
      minimumFractionDigits: decimals,
      maximumFractionDigits: decimals,
    });
    chart.applyOptions({
      localization: { locale, priceFormatter: (value: number) => prices.format(value) },
      crosshair: { horzLine: { visible: true, labelVisible: true } },
    });
    const price = chart.addSeries(CandlestickSeries, {
      upColor: '#2ebd85',
      downColor: '#e5484d',
      borderVisible: false,
      wickUpColor: '#2ebd85',
      wickDownColor: '#e5484d',
      priceFormat: { type: 'price', precision: decimals, minMove: 10 ** -decimals },
    });
    const volume = chart.addSeries(HistogramSeries, {
      priceScaleId: 'volume',
      priceFormat: { type: 'volume' },
      color: 'rgba(140, 145, 170, 0.45)',
    });
    chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    price.priceScale().applyOptions({ scaleMargins: { top: 0.08, bottom: 0.25 } });
    setSeries({ price, volume });
    return () => {
      setSeries(null);
      chart.removeSeries(price);
      chart.removeSeries(volume);
    };
  }, [chart, decimals, locale]);

  useEffect(() => {
    if (!series) return;
    series.price.setData(
      candles.map((c) => ({
        time: toChartTime(c.time),
        open: c.open,
        high: c.high,
        low: c.low,
        close: c.close,
      })),
    );
    series.volume.setData(
      candles.map((c) => ({
        time: toChartTime(c.time),
        value: c.volume,
        color: c.close >= c.open ? 'rgba(46, 189, 133, 0.4)' : 'rgba(229, 72, 77, 0.4)',
      })),
    );
  }, [series, candles]);

  return (
    <figure className="market-chart" aria-label={t('market.chartLabel')}>
      <div ref={box} className="market-chart-box" data-candles={candles.length} />
      <ChartAttribution />
    </figure>
  );
}
