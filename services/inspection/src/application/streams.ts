// Stream ids of the context (events.proto header).

export const CATEGORIES = ['inspection', 'draw', 'rectification'] as const;

export const streams = {
  inspection: (id: string) => `inspection-${id}`,
  draw: (id: string) => `draw-${id}`,
  rectification: (id: string) => `rectification-${id}`,
};
