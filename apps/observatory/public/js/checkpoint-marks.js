// @ts-check
// Checkpoints on the WAL chart's time axis: a uPlot plugin that draws, at each second in which
// checkpoints ran, a vertical mark coloured by the worst outcome and labelled with the modes'
// initials (P passive, F full, R restart, T truncate).

export const OUTCOME_COLORS = /** @type {const} */ ({
  complete: '#2e9d5b',
  busy: '#e0a100',
  error: '#d43c3c',
});

const RANK = { complete: 0, busy: 1, error: 2 };

/**
 * @param {() => import('./types').LiveTick['checkpoints'][]} marks the checkpoints of each
 *   plotted second, aligned with the chart's x values
 * @returns {uPlot.Plugin}
 */
export function checkpointMarks(marks) {
  return {
    hooks: {
      draw: [
        (u) => {
          const ctx = u.ctx;
          const xs = u.data[0];
          const all = marks();
          const ratio = devicePixelRatio || 1;
          ctx.save();
          // The last series drawn may have left its dash pattern on the context.
          ctx.setLineDash([]);
          ctx.font = `${Math.round(10 * ratio)}px system-ui, sans-serif`;
          ctx.textAlign = 'center';
          ctx.textBaseline = 'top';
          for (let i = 0; i < xs.length; i++) {
            const list = all[i];
            const x = xs[i];
            if (!list || list.length === 0 || x === undefined) continue;
            let worst = 'complete';
            for (const c of list)
              if (
                (RANK[/** @type {keyof RANK} */ (c.outcome)] ?? 0) >
                RANK[/** @type {keyof RANK} */ (worst)]
              )
                worst = c.outcome;
            const color = OUTCOME_COLORS[/** @type {keyof OUTCOME_COLORS} */ (worst)] ?? '#888';
            const px = Math.round(u.valToPos(x, 'x', true));
            ctx.strokeStyle = color;
            ctx.fillStyle = color;
            ctx.lineWidth = ratio;
            ctx.beginPath();
            ctx.moveTo(px, u.bbox.top);
            ctx.lineTo(px, u.bbox.top + u.bbox.height);
            ctx.stroke();
            const modes = [...new Set(list.map((c) => c.mode[0] ?? '?'))].join('');
            ctx.fillText(modes, px, u.bbox.top + 2 * ratio);
          }
          ctx.restore();
        },
      ],
    },
  };
}
