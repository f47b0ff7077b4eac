/**
 * Place chart labels so that they do not overlap each other or leave the plot. Text width is estimated
 * (0.6 em per character, close for the sans-serif stacks the report uses) since there is no layout engine.
 */

export interface LabelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface PlacedLabel {
  /** Anchor of the text's baseline (SVG text x, y). */
  x: number;
  y: number;
  anchor: 'start' | 'end' | 'middle';
}

/** Estimated width of `text` at `fontSize` px. */
export function textWidth(text: string, fontSize: number): number {
  return [...text].length * fontSize * 0.6;
}

function boxOf(label: PlacedLabel, width: number, fontSize: number): LabelBox {
  const left =
    label.anchor === 'start' ? label.x : label.anchor === 'end' ? label.x - width : label.x - width / 2;
  return { x: left, y: label.y - fontSize * 0.8, width, height: fontSize };
}

function overlaps(a: LabelBox, b: LabelBox): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

function inside(box: LabelBox, bounds: LabelBox): boolean {
  return (
    box.x >= bounds.x &&
    box.y >= bounds.y &&
    box.x + box.width <= bounds.x + bounds.width &&
    box.y + box.height <= bounds.y + bounds.height
  );
}

/**
 * Greedy placement: each point's label tries right, left, above, below and then further out, and takes the
 * first spot that is inside `bounds` and clear of labels already placed (and of the points themselves).
 */
export function placePointLabels(
  points: readonly { x: number; y: number; text: string }[],
  bounds: LabelBox,
  fontSize: number,
): PlacedLabel[] {
  const taken: LabelBox[] = points.map((point) => ({ x: point.x - 4, y: point.y - 4, width: 8, height: 8 }));
  return points.map((point) => {
    const width = textWidth(point.text, fontSize);
    const gap = 7;
    const candidates: PlacedLabel[] = [];
    for (const distance of [0, 1, 2, 3]) {
      const lift = distance * (fontSize + 2);
      candidates.push(
        { x: point.x + gap, y: point.y + fontSize * 0.35 - lift, anchor: 'start' },
        { x: point.x - gap, y: point.y + fontSize * 0.35 - lift, anchor: 'end' },
        { x: point.x, y: point.y - gap - lift, anchor: 'middle' },
        { x: point.x, y: point.y + gap + fontSize * 0.8 + lift, anchor: 'middle' },
        { x: point.x + gap, y: point.y + fontSize * 0.35 + lift, anchor: 'start' },
      );
    }
    const chosen =
      candidates.find((candidate) => {
        const box = boxOf(candidate, width, fontSize);
        return inside(box, bounds) && !taken.some((other) => overlaps(box, other));
      }) ?? candidates[0]!;
    taken.push(boxOf(chosen, width, fontSize));
    return chosen;
  });
}

/**
 * Spread vertical positions (e.g. labels of horizontal reference lines) at least `gap` apart, keeping their
 * order and staying inside [low, high]; returns the positions in the input's order.
 */
export function spreadVertically(
  positions: readonly number[],
  gap: number,
  low: number,
  high: number,
): number[] {
  const order = positions.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const placed = order.map((entry) => Math.min(high, Math.max(low, entry.value)));
  for (let i = 1; i < placed.length; i += 1) placed[i] = Math.max(placed[i]!, placed[i - 1]! + gap);
  // A second pass from the bottom pulls labels back inside when the first pass pushed them past `high`.
  if (placed.length > 0) placed[placed.length - 1] = Math.min(placed[placed.length - 1]!, high);
  for (let i = placed.length - 2; i >= 0; i -= 1) placed[i] = Math.min(placed[i]!, placed[i + 1]! - gap);
  const result = new Array<number>(positions.length);
  order.forEach((entry, rank) => {
    result[entry.index] = placed[rank]!;
  });
  return result;
}
