/**
 * The host's demo routes: publish the sample data of one topic, or of all 26, through
 * `hooks.publish()` — what a real host does when something happens in its product.
 */
import { Router, type Response } from 'express';
import { ChameleonError, TOPICS, isTopic, type ChameleonHooks, type PublishResult, type Topic } from '../lib/index.js';
import { SAMPLES } from './samples.js';

function sendError(res: Response, error: unknown): void {
  if (error instanceof ChameleonError) {
    res.status(error.status).json(error.toBody());
    return;
  }
  console.error('[host] publish failed:', error);
  res.status(500).json({ code: 500, messages: ['Publishing failed; see the server log'] });
}

async function publishSample(hooks: ChameleonHooks, accountId: string, topic: Topic): Promise<PublishResult & { topic: Topic }> {
  const result = await hooks.publish(accountId, topic, SAMPLES.get(topic)!);
  return { topic, ...result };
}

/** `POST /demo/publish/:topic` and `POST /demo/publish-all`, for the account `accountId`. */
export function demoRoutes(hooks: ChameleonHooks, accountId: string): Router {
  const router = Router();

  router.post('/demo/publish-all', async (_req, res) => {
    try {
      const published = [];
      for (const topic of TOPICS) published.push(await publishSample(hooks, accountId, topic));
      res.json({ published });
    } catch (error) {
      sendError(res, error);
    }
  });

  router.post('/demo/publish/:topic', async (req, res) => {
    const topic = req.params.topic;
    if (!isTopic(topic)) {
      res.status(404).json({ code: 404, messages: [`Unknown topic "${topic}"; one of: ${TOPICS.join(', ')}`] });
      return;
    }
    try {
      res.json({ published: await publishSample(hooks, accountId, topic) });
    } catch (error) {
      sendError(res, error);
    }
  });

  return router;
}
