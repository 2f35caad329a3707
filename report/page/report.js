// The report page's script: draws the charts described in the embedded
// data (the application/json script element with id "data") with uPlot. Runs offline;
// text from the data only ever goes through textContent (uPlot does the same).
(function () {
  'use strict';
  var blob = document.getElementById('data');
  if (!blob) return;
  var data = JSON.parse(blob.textContent || '{}');
  var x = data.x || [];
  var HEIGHT = 250;
  // The y axis fits the data lines. A limit line (SLO, error limit) joins the
  // range only when it is at most NEAR times the data's top; further up it
  // would press the data flat on the axis, so it is named at the top instead.
  var NEAR = 2;
  var HEADROOM = 1.15;
  var drawn = [];

  function clock(s) {
    if (s == null || !isFinite(s)) return '-';
    var neg = s < 0;
    var t = Math.round(Math.abs(s));
    var h = Math.floor(t / 3600);
    t -= h * 3600;
    var m = Math.floor(t / 60);
    var sec = t - m * 60;
    var pad = function (n) { return (n < 10 ? '0' : '') + n; };
    return (neg ? '-' : '') + (h > 0 ? h + ':' + pad(m) + ':' + pad(sec) : m + ':' + pad(sec));
  }

  function num(v) {
    if (v == null || !isFinite(v)) return '-';
    var a = Math.abs(v);
    return String(a >= 100 ? Math.round(v) : a >= 10 ? Math.round(v * 10) / 10 : Math.round(v * 100) / 100);
  }

  // The run's incidents: a light red span each, its label at the top.
  function drawBands(u, bands) {
    if (!bands || !bands.length) return;
    var ctx = u.ctx;
    var dpr = window.devicePixelRatio || 1;
    ctx.save();
    ctx.font = 11 * dpr + 'px system-ui, sans-serif';
    ctx.textBaseline = 'bottom';
    for (var i = 0; i < bands.length; i++) {
      var b = bands[i];
      var left = Math.max(u.bbox.left, u.valToPos(b.from, 'x', true));
      var right = Math.min(u.bbox.left + u.bbox.width, u.valToPos(b.to, 'x', true));
      if (!(right > left - 2 * dpr)) continue;
      var w = Math.max(right - left, 2 * dpr);
      ctx.fillStyle = 'rgba(220, 38, 38, 0.12)';
      ctx.fillRect(left, u.bbox.top, w, u.bbox.height);
      ctx.fillStyle = '#b91c1c';
      ctx.textAlign = 'left';
      ctx.fillText(String(b.label), left + 2 * dpr, u.bbox.top + u.bbox.height - 2 * dpr);
    }
    ctx.restore();
  }

  // The limits above the y axis's range: named at the top right, in their colour.
  function drawLimitsAbove(u, limits) {
    var above = limits.filter(function (l) { return l.value > u.scales.y.max; });
    if (!above.length) return;
    var ctx = u.ctx;
    var dpr = window.devicePixelRatio || 1;
    ctx.save();
    ctx.font = 11 * dpr + 'px system-ui, sans-serif';
    ctx.textBaseline = 'top';
    ctx.textAlign = 'right';
    for (var i = 0; i < above.length; i++) {
      ctx.fillStyle = above[i].color;
      ctx.fillText('\u2191 ' + above[i].label + ' (above)', u.bbox.left + u.bbox.width - 3 * dpr, u.bbox.top + 2 * dpr + i * 13 * dpr);
    }
    ctx.restore();
  }

  function limitsOf(spec) {
    return spec.lines.filter(function (l) { return !l.values && l.constant != null; }).map(function (l) { return { value: l.constant, label: l.label, color: l.color }; });
  }

  function yRange(atLeast, limits) {
    return function (u, min, max) {
      var data = Math.max(isFinite(max) ? max : 0, atLeast || 1);
      var top = data;
      for (var i = 0; i < limits.length; i++) if (limits[i].value <= NEAR * data) top = Math.max(top, limits[i].value);
      return [0, top * HEADROOM];
    };
  }

  function drawMarkers(markers, bands, limits) {
    return function (u) {
      drawBands(u, bands);
      drawLimitsAbove(u, limits);
      if (!markers || !markers.length) return;
      var ctx = u.ctx;
      var dpr = window.devicePixelRatio || 1;
      ctx.save();
      ctx.strokeStyle = '#111827';
      ctx.fillStyle = '#111827';
      ctx.setLineDash([2 * dpr, 3 * dpr]);
      ctx.lineWidth = dpr;
      ctx.font = 11 * dpr + 'px system-ui, sans-serif';
      ctx.textBaseline = 'top';
      for (var i = 0; i < markers.length; i++) {
        var m = markers[i];
        var px = u.valToPos(m.x, 'x', true);
        if (!(px >= u.bbox.left && px <= u.bbox.left + u.bbox.width)) continue;
        ctx.beginPath();
        ctx.moveTo(px, u.bbox.top);
        ctx.lineTo(px, u.bbox.top + u.bbox.height);
        ctx.stroke();
        var label = String(m.label);
        var right = px + 3 * dpr + ctx.measureText(label).width > u.bbox.left + u.bbox.width;
        ctx.textAlign = right ? 'right' : 'left';
        ctx.fillText(label, right ? px - 3 * dpr : px + 3 * dpr, u.bbox.top + 2 * dpr + i * 13 * dpr);
      }
      ctx.restore();
    };
  }

  // The x axis spans the periods and any marker past them (a breakpoint confirmed at a period's end).
  function xRange(markers) {
    return function (u, min, max) {
      for (var i = 0; markers && i < markers.length; i++) {
        if (markers[i].x < min) min = markers[i].x;
        if (markers[i].x > max) max = markers[i].x;
      }
      return min === max ? [min - 1, max + 1] : [min, max];
    };
  }

  function widthOf(host) {
    return Math.max(280, Math.floor(host.getBoundingClientRect().width) || 600);
  }

  var specs = data.charts || [];
  for (var c = 0; c < specs.length; c++) {
    var spec = specs[c];
    var host = document.getElementById('chart-' + spec.id);
    if (!host) continue;
    var unit = spec.unit === '%' ? '%' : ' ' + spec.unit;
    // A chart may bring its own x axis (the runs index: one point per run, named by xLabels).
    var xs = spec.x || x;
    var fmtX = spec.xLabels ? (function (labels) { return function (v) { var i = Math.round(v); return i === v && labels[i] != null ? String(labels[i]) : ''; }; })(spec.xLabels) : clock;
    var series = [{ label: spec.xName || 'time', value: (function (f) { return function (u, v) { return f(v); }; })(fmtX) }];
    var cols = [xs];
    for (var l = 0; l < spec.lines.length; l++) {
      var line = spec.lines[l];
      var values = line.values;
      if (!values) {
        values = new Array(xs.length);
        for (var k = 0; k < xs.length; k++) values[k] = line.constant;
      }
      cols.push(values);
      var one = {
        label: line.label,
        stroke: line.color,
        width: line.width || 1.5,
        spanGaps: false,
        value: (function (u0) { return function (u, v) { return v == null ? '-' : num(v) + u0; }; })(unit),
      };
      if (line.dash) one.dash = line.dash;
      if (line.fill) one.fill = line.fill;
      // limit lines: no point markers and no say in the y range (yRange); data lines: uPlot's own choice (isolated points stay visible)
      if (!line.values) {
        one.points = { show: false };
        one.auto = false;
      }
      series.push(one);
    }
    var limits = limitsOf(spec);
    var xLabel = spec.xName || 'time from the first period (m:ss)';
    var opts = {
      width: widthOf(host),
      height: HEIGHT,
      series: series,
      scales: {
        x: { time: false, range: xRange(spec.markers) },
        y: { range: yRange(spec.yAtLeast, limits) },
      },
      axes: [
        {
          label: xLabel,
          labelSize: 20,
          values: (function (f) { return function (u, splits) { return splits.map(f); }; })(fmtX),
          incrs: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1200, 1800, 3600, 7200, 10800, 21600, 43200, 86400],
          space: 70,
        },
        { label: spec.unit, labelSize: 20, size: 56, values: function (u, splits) { return splits.map(num); } },
      ],
      legend: { live: true },
      cursor: { drag: { x: true, y: false } },
      hooks: { draw: [drawMarkers(spec.markers, spec.bands, limits)] },
    };
    var chart = new uPlot(opts, cols, host);
    drawn.push({ id: spec.id, chart: chart, host: host, points: xs.length, xLabel: xLabel, yLabel: spec.unit, limits: limits });
  }

  var pending = 0;
  window.addEventListener('resize', function () {
    cancelAnimationFrame(pending);
    pending = requestAnimationFrame(function () {
      for (var i = 0; i < drawn.length; i++) drawn[i].chart.setSize({ width: widthOf(drawn[i].host), height: HEIGHT });
    });
  });

  // For tests and for a reader's console: what was drawn, the axes as they are now
  // (plot: the plotting area in canvas pixels) and the limits named above the chart.
  window.hmpReport = {
    charts: drawn.map(function (d) {
      return {
        id: d.id,
        points: d.points,
        series: d.chart.series.length - 1,
        xLabel: d.xLabel,
        yLabel: d.yLabel,
        get yMax() { return d.chart.scales.y.max; },
        get plot() { var b = d.chart.bbox; return { left: b.left, top: b.top, width: b.width, height: b.height }; },
        get limitsAbove() { return d.limits.filter(function (l) { return l.value > d.chart.scales.y.max; }).map(function (l) { return l.label; }); },
      };
    }),
  };
  document.documentElement.setAttribute('data-charts-drawn', String(drawn.length));
})();
